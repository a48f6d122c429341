import ts from 'typescript'

/**
 * Which generated definer a call invokes, found through the type checker so
 * aliased imports (`import { wireQueueWorker as wire }`), namespace imports
 * (`ns.wireQueueWorker(...)`), re-exports and tsconfig `paths` all count;
 * undefined for any other call. `definerFiles` are the files whose exports are
 * definers: the generated pikku-types.gen.ts, and core's own modules for the
 * definers users may import from there.
 */
export function resolveDefiner(
  call: ts.CallExpression,
  checker: ts.TypeChecker,
  isDefinerFile: (fileName: string) => boolean,
): string | undefined {
  const callee = ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call.expression
  if (!ts.isIdentifier(callee)) return undefined
  let symbol = checker.getSymbolAtLocation(callee)
  if (!symbol) return undefined
  if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol)
  const declaration = symbol.declarations?.[0]
  if (!declaration || !isDefinerFile(declaration.getSourceFile().fileName)) return undefined
  return symbol.name
}

/** The declaration an expression such as `f`, `ns.f` or an imported, re-exported `f` finally names. */
export function resolveDeclaration(expression: ts.Expression, checker: ts.TypeChecker): ts.Declaration | undefined {
  const node = ts.isPropertyAccessExpression(expression) ? expression.name : expression
  let symbol = ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node
    ? checker.getShorthandAssignmentValueSymbol(node.parent)
    : checker.getSymbolAtLocation(node)
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol)
  return symbol?.valueDeclaration ?? symbol?.declarations?.[0]
}
