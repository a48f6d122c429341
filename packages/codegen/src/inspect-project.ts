import { readdirSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import ts from 'typescript'
import { CodegenError, type Diagnostic } from './codegen-error.js'
import { findApplicationTypes } from './find-application-types.js'
import { findPikkuFunctions } from './find-pikku-functions.js'
import { findQueueWorkers } from './find-queue-workers.js'
import type { PikkuConfig } from './load-config.js'
import type { ProjectModel } from './project-model.js'
import { diagnosticAt } from './source-location.js'

/** Only what resolving imports between the project's own files needs; no type errors are reported. */
const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  allowJs: false,
  noEmit: true,
  skipLibCheck: true,
  types: [],
  // The default lib and the packages' typings are not needed to follow imports between
  // the project's own files, and loading them would triple the run time.
  noLib: true,
  noResolve: true,
}

/** Reads the source directories with the TypeScript compiler API; throws CodegenError listing every mistake. */
export function inspectProject(config: PikkuConfig): ProjectModel {
  const files = config.srcDirectories.flatMap((dir) => listSourceFiles(dir, config))
  const program = ts.createProgram(files, COMPILER_OPTIONS, ts.createCompilerHost(COMPILER_OPTIONS, true))
  const sourceFiles = files.map((file) => program.getSourceFile(file)).filter((f) => f !== undefined)

  const syntaxErrors = sourceFiles.flatMap((f) => program.getSyntacticDiagnostics(f)).map(toDiagnostic)
  if (syntaxErrors.length > 0) throw new CodegenError(syntaxErrors)

  const diagnostics: Diagnostic[] = []
  const types = findApplicationTypes(sourceFiles, diagnostics)
  const found = findPikkuFunctions(sourceFiles)
  const seen = new Map<string, string>()
  for (const func of found) {
    const other = seen.get(func.id)
    if (other) {
      diagnostics.push(diagnosticAt(func.declaration.name, `function name ${func.id} is also used in ${relative(config.rootDir, other)}; Pikku function names must be unique across the project`))
    }
    seen.set(func.id, func.file)
  }
  const queueWorkers = findQueueWorkers(sourceFiles, found, program.getTypeChecker(), config.rootDir, diagnostics)
  if (diagnostics.length > 0) throw new CodegenError(diagnostics)

  const functions = found.filter((f) => f.exported).map(({ id, file, sessionless }) => ({ id, file, sessionless }))
  return { types, functions, queueWorkers }
}

/** .ts files below dir, in a stable order, leaving out declarations, tests, node_modules and the output folder. */
function listSourceFiles(dir: string, config: PikkuConfig): string[] {
  const files: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !isInside(path, config.outDir)) files.push(...listSourceFiles(path, config))
    } else if (/\.(m|c)?tsx?$/.test(entry.name) && !/\.d\.(m|c)?ts$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
      files.push(path)
    }
  }
  return files
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path)
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep))
}

function toDiagnostic(d: ts.Diagnostic): Diagnostic {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n')
  if (!d.file || d.start === undefined) return { file: '<project>', line: 1, column: 1, message }
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start)
  return { file: d.file.fileName, line: line + 1, column: character + 1, message }
}
