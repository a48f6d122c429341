import ts from 'typescript'
import type { Diagnostic } from './codegen-error.js'
import { FUNCTION_DEFINERS } from './find-pikku-functions.js'
import { HOOKS } from './find-hooks.js'
import { CORE_DEFINERS } from './resolve-definer.js'
import type { ProjectHost } from './project-host.js'
import { diagnosticAt } from './source-location.js'

/** Where each name codegen reads is generated, for the message. */
const HOME: Record<string, string> = {
  ...Object.fromEntries(Object.entries(FUNCTION_DEFINERS).map(([name, { workflow }]) => [name, workflow ? '#pikku/workflow' : '#pikku/function'])),
  wireQueueWorker: '#pikku/queue',
  wireScheduler: '#pikku/scheduler',
  addGlobalMiddleware: '#pikku/middleware',
  addMiddleware: '#pikku/middleware',
  addTagMiddleware: '#pikku/middleware',
  addGlobalPermission: '#pikku/permissions',
  addPermission: '#pikku/permissions',
  addTagPermission: '#pikku/permissions',
  pikkuWireServices: '#pikku/setup',
}

/**
 * Reports a definer, wiring or hook imported from a package codegen does not
 * read them from (another Pikku adapter, or a core subpath that lacks it): its
 * calls would not be seen, so its functions, queues or middleware would vanish.
 * Imports of the project's own files (relative, `#pikku/*`, tsconfig `paths`) are
 * resolved through the type checker; those from @pikku/core are read for core's
 * own wirings and hooks.
 */
export function findForeignDefiners(
  sourceFiles: readonly ts.SourceFile[],
  host: ProjectHost,
  diagnostics: Diagnostic[],
): void {
  const names = new Set([...Object.keys(FUNCTION_DEFINERS), 'wireQueueWorker', 'wireScheduler', ...HOOKS])
  for (const sourceFile of sourceFiles) {
    for (const statement of sourceFile.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue
      const from = statement.moduleSpecifier.text
      const bindings = statement.importClause?.namedBindings
      if (from.startsWith('.') || from.startsWith('#pikku/') || !bindings || !ts.isNamedImports(bindings) || statement.importClause?.isTypeOnly) continue
      const fromCore = /^@pikku\/core(\/|$)/.test(from)
      const suspects = bindings.elements.filter((element) => {
        const name = (element.propertyName ?? element.name).text
        return !element.isTypeOnly && names.has(name) && !(fromCore && CORE_DEFINERS.has(name))
      })
      // Resolved only for an import that names a definer: most package imports never need it.
      if (suspects.length === 0 || isProjectModule(host.resolveModule(from, sourceFile.fileName))) continue
      for (const element of suspects) {
        const name = (element.propertyName ?? element.name).text
        diagnostics.push(
          diagnosticAt(element, `${name} is imported from '${from}', where codegen does not read it, so what it declares would not run: import { ${name} } from '${HOME[name]}'`),
        )
      }
    }
  }
}

/** A module that is a file of the project (reached through tsconfig `paths`, say), not a package. */
function isProjectModule(resolved: ts.ResolvedModuleFull | undefined): boolean {
  return resolved !== undefined && !resolved.isExternalLibraryImport
}
