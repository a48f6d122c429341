import { readdirSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import picomatch from 'picomatch'
import ts from 'typescript'
import { CodegenError, type Diagnostic } from './codegen-error.js'
import { compareCodePoints } from './compare-code-points.js'
import { findApplicationTypes } from './find-application-types.js'
import { findPikkuFunctions } from './find-pikku-functions.js'
import { findCoreWirings } from './find-core-wirings.js'
import { findForeignDefiners } from './find-foreign-definers.js'
import { findHooks } from './find-hooks.js'
import { findUnresolvedImports } from './find-unresolved-imports.js'
import { findWirings } from './find-wirings.js'
import { findWorkflows } from './find-workflows.js'
import type { PikkuConfig } from './load-config.js'
import type { ProjectModel } from './project-model.js'
import type { ProjectHost } from './project-host.js'
import { diagnosticAt } from './source-location.js'

export interface InspectOptions {
  config: PikkuConfig
  host: ProjectHost
  /** Where the generated definers will be written; user code imports them from there. */
  typesFile: string
  /**
   * Files served from memory: the definers' declarations at the path of the
   * generated definers, so user code resolves them even before .pikku/ exists.
   */
  overlays: ReadonlyMap<string, string>
  /** The previous run's program (watch mode): unchanged files are reused, not re-parsed. */
  oldProgram?: ts.Program
  /** Every file this run will write, and their `#pikku/…` specifiers: imports of them resolve. */
  generated: { files: ReadonlySet<string>; specifiers: readonly string[] }
}

export interface Inspection {
  model: ProjectModel
  program: ts.Program
  /** What runs, but not as written: printed as `file:line:col warning: …`. */
  warnings: Diagnostic[]
}

/** Reads the source directories with the TypeScript type checker; throws CodegenError listing every mistake. */
export function inspectProject({ config, host, typesFile, overlays, oldProgram, generated }: InspectOptions): Inspection {
  const { files, declarationFiles } = listSourceFiles(config)
  const diagnostics: Diagnostic[] = []
  const warnings: Diagnostic[] = []
  host.setOverlays(overlays)
  const program = ts.createProgram([...files, ...declarationFiles, ...overlays.keys()], host.options, host.host, oldProgram)
  const sourceFiles = files.map((file) => program.getSourceFile(file)).filter((f) => f !== undefined)
  const declarations = declarationFiles.map((file) => program.getSourceFile(file)).filter((f) => f !== undefined)
  const syntaxErrors = [...sourceFiles, ...declarations].flatMap((f) => program.getSyntacticDiagnostics(f)).map(toDiagnostic)
  if (syntaxErrors.length > 0) throw new CodegenError(syntaxErrors)
  const checker = program.getTypeChecker()
  const isDefinerFile = (fileName: string) => fileName === typesFile

  findUnresolvedImports([...sourceFiles, ...declarations], {
    rootDir: config.rootDir,
    outDir: config.outDir,
    generatedFiles: generated.files,
    generatedSpecifiers: generated.specifiers,
    host,
  }, diagnostics)
  findForeignDefiners(sourceFiles, host, diagnostics)
  const types = findApplicationTypes([...sourceFiles, ...declarations], checker, config, diagnostics)
  const found = findPikkuFunctions(sourceFiles, checker, isDefinerFile, diagnostics, warnings)
  const { queueWorkers, schedulers } = findWirings(sourceFiles, found, checker, isDefinerFile, config.rootDir, diagnostics)
  findCoreWirings(sourceFiles, checker, diagnostics, warnings)
  // Hooks are looked for in every project file the sources import, too: a factory re-exported from
  // outside the source directories would otherwise never be called.
  const projectFiles = program.getSourceFiles().filter(
    (f) => !f.isDeclarationFile && !overlays.has(f.fileName) && !f.fileName.includes('/node_modules/') && !isInside(f.fileName, config.outDir),
  )
  const hooks = findHooks(projectFiles, checker, isDefinerFile, diagnostics)
  const seen = new Map<string, ts.Node>()
  for (const func of found) {
    if (func.inline && func.id === '') {
      diagnostics.push(diagnosticAt(func.call, 'a function declared inline must be the func: of a wireQueueWorker or wireScheduler call; otherwise declare it as export const name = pikkuSessionlessFunc(...)'))
      continue
    }
    const other = seen.get(func.id)
    if (other) {
      const at = diagnosticAt(other, '')
      diagnostics.push(diagnosticAt(func.anchor, `function id ${func.id} is also used at ${relative(config.rootDir, at.file)}:${at.line}:${at.column}; Pikku function ids must be unique across the project (rename one)`))
    }
    seen.set(func.id, func.anchor)
  }
  for (const worker of queueWorkers) {
    const func = found.find((f) => f.id === worker.functionId)!
    if (func.validation === 'standard-schema' && func.exportName === undefined) {
      diagnostics.push(diagnosticAt(func.anchor, `queue "${worker.name}": ${func.id} takes a Standard Schema input, so the typed producer imports its type: export it (export const ${func.inline ? 'myWorker' : func.id} = ...) and wire it by name`))
    }
  }
  const named = found.filter((f) => f.id !== '')
  const { workflows, unwiredStepFunctions } = findWorkflows(sourceFiles, named, { queueWorkers, schedulers }, checker, isDefinerFile, config.rootDir, diagnostics)
  if (diagnostics.length > 0) throw new CodegenError(diagnostics)

  const functions = named
    .map(({ call: _call, anchor: _anchor, inline: _inline, workflow: _workflow, funcNode: _funcNode, ...info }) => info)
    .sort((a, b) => compareCodePoints(a.id, b.id))
  return {
    model: {
      types,
      functions,
      queueWorkers,
      schedulers,
      workflows: workflows.sort((a, b) => compareCodePoints(a.name, b.name)),
      unwiredStepFunctions,
      hookFiles: hooks.files,
      hookFactories: hooks.factories,
    },
    program,
    warnings,
  }
}

/**
 * .ts files below each source directory, in a stable order, leaving out node_modules, the output folder
 * and the exclude patterns; declaration files (.d.ts) apart, since they can only hold application types.
 */
function listSourceFiles(config: PikkuConfig): { files: string[]; declarationFiles: string[] } {
  const excluded = picomatch(config.exclude, { dot: true })
  const files: string[] = []
  const declarationFiles: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => compareCodePoints(a.name, b.name))) {
      const path = join(dir, entry.name)
      const rel = relative(config.rootDir, path).split(sep).join('/')
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !isInside(path, config.outDir)) walk(path)
      } else if (/\.(m|c)?tsx?$/.test(entry.name) && !excluded(rel)) {
        ;(/\.d\.(m|c)?ts$/.test(entry.name) ? declarationFiles : files).push(path)
      }
    }
  }
  for (const dir of config.srcDirectories) walk(dir)
  return { files, declarationFiles }
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
