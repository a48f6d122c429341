import ts from 'typescript'
import type { Diagnostic } from './codegen-error.js'

export function diagnosticAt(node: ts.Node, message: string): Diagnostic {
  const sourceFile = node.getSourceFile()
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile))
  return { file: sourceFile.fileName, line: line + 1, column: character + 1, message }
}

export function isExported(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
}
