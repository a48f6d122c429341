import { existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import type { Diagnostic } from './codegen-error.js'
import type { PikkuConfig } from './load-config.js'
import type { ApplicationTypes } from './project-model.js'
import { coreNameOf } from './resolve-definer.js'
import { diagnosticAt, isExported } from './source-location.js'

/** Which core type an application type extends, and the slot it fills. */
const CORE_BASES: Record<string, keyof ApplicationTypes> = {
  CoreConfig: 'config',
  CoreSingletonServices: 'singletonServices',
  CoreServices: 'services',
  CoreUserSession: 'session',
}

/** Where Pikku's templates and this project's keep the application types. */
const USUAL_PLACES = ['src/application-types.ts', 'src/application-types.d.ts', 'types/application-types.d.ts', 'types/application-types.ts']

/**
 * Finds `interface X extends CoreConfig | CoreSingletonServices | CoreServices | CoreUserSession`,
 * with the core type imported from @pikku/core under any local name, in .ts and
 * .d.ts files alike. When none is found but a file in one of the usual places
 * exists outside the source directories, that is reported: the project would
 * otherwise fall back to core's types and fail later with an unrelated error.
 */
export function findApplicationTypes(
  sourceFiles: readonly ts.SourceFile[],
  checker: ts.TypeChecker,
  config: PikkuConfig,
  diagnostics: Diagnostic[],
): ApplicationTypes {
  const types: ApplicationTypes = {}
  for (const sourceFile of sourceFiles) {
    for (const statement of sourceFile.statements) {
      if (!ts.isInterfaceDeclaration(statement)) continue
      const slot = coreBaseOf(statement, checker)
      if (!slot) continue
      const name = statement.name.text
      const previous = types[slot]
      if (!isExported(statement)) {
        diagnostics.push(diagnosticAt(statement.name, `interface ${name} must be exported: the generated types import it`))
      } else if (previous) {
        diagnostics.push(
          diagnosticAt(statement.name, `interface ${name} extends the same core type as ${previous.name} (${previous.file}); keep one`),
        )
      } else {
        types[slot] = { name, file: sourceFile.fileName }
      }
    }
  }
  if (Object.keys(types).length === 0) {
    const inspected = new Set(sourceFiles.map((f) => f.fileName))
    for (const place of USUAL_PLACES) {
      const file = join(config.rootDir, place)
      if (existsSync(file) && !inspected.has(file)) {
        const folder = relative(config.rootDir, join(file, '..'))
        diagnostics.push({
          file,
          line: 1,
          column: 1,
          message: `this file looks like the project's application types, but codegen does not read it: add "${folder}" to "srcDirectories" in pikku.config.json (e.g. ["src", "${folder}"])`,
        })
      }
    }
  }
  return types
}

function coreBaseOf(declaration: ts.InterfaceDeclaration, checker: ts.TypeChecker): keyof ApplicationTypes | undefined {
  for (const clause of declaration.heritageClauses ?? []) {
    for (const base of clause.types) {
      const name = coreNameOf(base.expression, checker)
      if (name && name in CORE_BASES) return CORE_BASES[name]
    }
  }
  return undefined
}
