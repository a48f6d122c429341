import ts from 'typescript'
import type { Diagnostic } from './codegen-error.js'
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

/**
 * Finds `interface X extends CoreConfig | CoreSingletonServices | CoreServices | CoreUserSession`,
 * with the core type imported from @pikku/core under any local name.
 */
export function findApplicationTypes(
  sourceFiles: readonly ts.SourceFile[],
  checker: ts.TypeChecker,
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
