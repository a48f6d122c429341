import ts from 'typescript'
import type { PikkuFunctionInfo } from './project-model.js'
import { isExported } from './source-location.js'

/** The definers a function can be declared with; only pikkuFunc demands a session. */
const DEFINERS: Record<string, { sessionless: boolean }> = {
  pikkuFunc: { sessionless: false },
  pikkuSessionlessFunc: { sessionless: true },
}

export interface FoundFunction extends PikkuFunctionInfo {
  exported: boolean
  declaration: ts.VariableDeclaration
}

/** Finds top-level `const name = pikkuFunc(...)` / `pikkuSessionlessFunc(...)`, exported or not. */
export function findPikkuFunctions(sourceFiles: readonly ts.SourceFile[]): FoundFunction[] {
  const found: FoundFunction[] = []
  for (const sourceFile of sourceFiles) {
    for (const statement of sourceFile.statements) {
      if (!ts.isVariableStatement(statement)) continue
      for (const declaration of statement.declarationList.declarations) {
        const definer = definerOf(declaration.initializer)
        if (!definer || !ts.isIdentifier(declaration.name)) continue
        found.push({
          id: declaration.name.text,
          file: sourceFile.fileName,
          sessionless: DEFINERS[definer].sessionless,
          exported: isExported(statement),
          declaration,
        })
      }
    }
  }
  return found
}

function definerOf(initializer: ts.Expression | undefined): string | undefined {
  if (!initializer || !ts.isCallExpression(initializer)) return undefined
  const callee = initializer.expression
  return ts.isIdentifier(callee) && callee.text in DEFINERS ? callee.text : undefined
}
