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
  const fromCore = importedFromCore(call, checker)
  if (fromCore) return CORE_DEFINERS.has(fromCore) ? fromCore : undefined
  let symbol = checker.getSymbolAtLocation(callee)
  if (!symbol) return undefined
  if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol)
  const declaration = symbol.declarations?.[0]
  if (!declaration || !isDefinerFile(declaration.getSourceFile().fileName)) return undefined
  return symbol.name
}

/** Core's own wirings and hooks, read like the generated ones when a user imports them from core. */
export const CORE_DEFINERS = new Set(['wireQueueWorker', 'wireScheduler', 'addTagMiddleware', 'addMiddleware', 'addGlobalMiddleware', 'addGlobalPermission'])

/**
 * The name a call's function has in @pikku/core when it is imported from there
 * (`import { wireHTTP } from '@pikku/core/http'`, `core.wireHTTP(...)`).
 */
export function importedFromCore(call: ts.CallExpression, checker: ts.TypeChecker): string | undefined {
  return coreNameOf(call.expression, checker)
}

/**
 * The name an expression (`CoreConfig`, `Base`, `core.wireHTTP`) has in
 * @pikku/core when it is imported from there, under whatever local name.
 * Read from the import itself: codegen does not load packages' typings.
 */
export function coreNameOf(expression: ts.Expression, checker: ts.TypeChecker): string | undefined {
  const local = ts.isPropertyAccessExpression(expression) ? expression.expression : expression
  if (!ts.isIdentifier(local)) return undefined
  const declaration = checker.getSymbolAtLocation(local)?.declarations?.[0]
  if (!declaration) return undefined
  const importDeclaration = ts.findAncestor(declaration, ts.isImportDeclaration)
  if (!importDeclaration || !ts.isStringLiteral(importDeclaration.moduleSpecifier)) return undefined
  if (!/^@pikku\/core(\/|$)/.test(importDeclaration.moduleSpecifier.text)) return undefined
  if (ts.isImportSpecifier(declaration) && local === expression) return (declaration.propertyName ?? declaration.name).text
  if (ts.isNamespaceImport(declaration) && ts.isPropertyAccessExpression(expression)) return expression.name.text
  return undefined
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
