import ts from 'typescript'
import type { Diagnostic } from './codegen-error.js'
import { FUNCTION_DEFINERS } from './find-pikku-functions.js'
import { HOOKS } from './find-hooks.js'
import { CORE_DEFINERS } from './resolve-definer.js'
import { diagnosticAt } from './source-location.js'

/** Where each name codegen reads is generated, for the message. */
const HOME: Record<string, string> = {
  ...Object.fromEntries(Object.keys(FUNCTION_DEFINERS).map((name) => [name, '#pikku/function'])),
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
  { options, host }: { options: ts.CompilerOptions; host: ts.CompilerHost },
  diagnostics: Diagnostic[],
): void {
  const names = new Set([...Object.keys(FUNCTION_DEFINERS), 'wireQueueWorker', 'wireScheduler', ...HOOKS])
  for (const sourceFile of sourceFiles) {
    for (const statement of sourceFile.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue
      const from = statement.moduleSpecifier.text
      if (from.startsWith('.') || from.startsWith('#pikku/') || isProjectModule(from, sourceFile.fileName, options, host)) continue
      const bindings = statement.importClause?.namedBindings
      if (!bindings || !ts.isNamedImports(bindings) || statement.importClause?.isTypeOnly) continue
      const fromCore = /^@pikku\/core(\/|$)/.test(from)
      for (const element of bindings.elements) {
        const name = (element.propertyName ?? element.name).text
        if (element.isTypeOnly || !names.has(name) || (fromCore && CORE_DEFINERS.has(name))) continue
        diagnostics.push(
          diagnosticAt(element, `${name} is imported from '${from}', where codegen does not read it, so what it declares would not run: import { ${name} } from '${HOME[name]}'`),
        )
      }
    }
  }
}

/** A specifier that names a file of the project (through tsconfig `paths`, say), not a package. */
function isProjectModule(specifier: string, containingFile: string, options: ts.CompilerOptions, host: ts.CompilerHost): boolean {
  const resolved = ts.resolveModuleName(specifier, containingFile, options, host, undefined, undefined, ts.ModuleKind.ESNext).resolvedModule
  return resolved !== undefined && !resolved.isExternalLibraryImport
}
