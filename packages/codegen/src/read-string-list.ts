import ts from 'typescript'
import type { Diagnostic } from './codegen-error.js'
import { diagnosticAt } from './source-location.js'

/**
 * The strings of a list codegen must know, such as `tags: ['billing']`: an
 * array literal of string literals or consts, or a const tuple. Anything else
 * is reported, with `what` naming the property.
 */
export function readStringList(expression: ts.Expression, what: string, checker: ts.TypeChecker, diagnostics: Diagnostic[]): string[] {
  const elements = ts.isArrayLiteralExpression(expression)
    ? expression.elements.map((element) => checker.getTypeAtLocation(element))
    : tupleElements(checker.getTypeAtLocation(expression), checker)
  if (elements && elements.every((type) => type.isStringLiteral())) {
    return elements.map((type) => (type as ts.StringLiteralType).value)
  }
  diagnostics.push(diagnosticAt(expression, `${what} must be known when codegen runs: an array of string literals, e.g. ${what}: ['billing']`))
  return []
}

function tupleElements(type: ts.Type, checker: ts.TypeChecker): readonly ts.Type[] | undefined {
  return checker.isTupleType(type) ? checker.getTypeArguments(type as ts.TypeReference) : undefined
}
