import ts from 'typescript'
import { resolveDefiner } from './resolve-definer.js'

/** Definers that register global state: they must run before the first job, so their files are loaded before any wiring. */
const HOOKS = new Set(['addGlobalMiddleware', 'addMiddleware', 'addGlobalPermission', 'addPermission', 'pikkuWireServices'])

/** The files that call addGlobalMiddleware, addMiddleware, addGlobalPermission, addPermission or pikkuWireServices. */
export function findHookFiles(sourceFiles: readonly ts.SourceFile[], checker: ts.TypeChecker, isDefinerFile: (fileName: string) => boolean): string[] {
  return sourceFiles
    .filter((sourceFile) => {
      let found = false
      const visit = (node: ts.Node): void => {
        if (found) return
        if (ts.isCallExpression(node) && HOOKS.has(resolveDefiner(node, checker, isDefinerFile) ?? '')) found = true
        else ts.forEachChild(node, visit)
      }
      visit(sourceFile)
      return found
    })
    .map((sourceFile) => sourceFile.fileName)
}
