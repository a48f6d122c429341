import ts from 'typescript'
import type { Diagnostic } from './codegen-error.js'
import { exportNamesOf } from './find-pikku-functions.js'
import type { HookFactory } from './project-model.js'
import { resolveDefiner } from './resolve-definer.js'
import { diagnosticAt } from './source-location.js'

/** Definers that register global state: they must run before the first job. */
export const HOOKS = new Set([
  'addGlobalMiddleware',
  'addMiddleware',
  'addTagMiddleware',
  'addGlobalPermission',
  'addPermission',
  'addTagPermission',
  'pikkuWireServices',
])

export interface Hooks {
  /** Files that call a hook at their top level: loaded before any wiring. */
  files: string[]
  /** Exported factories that call hooks (`export const auditTag = () => addTagMiddleware(...)`): the bootstrap calls each once. */
  factories: HookFactory[]
}

/**
 * Finds every call to a hook. A call at the top level of a file runs when the
 * bootstrap loads that file; a call inside an exported factory that takes no
 * arguments runs when the bootstrap calls the factory, as Pikku's own codegen
 * does. Any other place would never run, so it is reported.
 */
export function findHooks(
  sourceFiles: readonly ts.SourceFile[],
  checker: ts.TypeChecker,
  isDefinerFile: (fileName: string) => boolean,
  diagnostics: Diagnostic[],
): Hooks {
  const files: string[] = []
  const factories: HookFactory[] = []
  for (const sourceFile of sourceFiles) {
    const exportNames = exportNamesOf(sourceFile, checker)
    const seenFactories = new Set<ts.Node>()
    let topLevel = false
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const hook = resolveDefiner(node, checker, isDefinerFile)
        if (hook && HOOKS.has(hook)) {
          const outermost = outermostFunction(node)
          if (!outermost) {
            topLevel = true
          } else {
            const factory = callableFactory(outermost, exportNames)
            if (factory === undefined) {
              diagnostics.push(
                diagnosticAt(node.expression, `${hook}(...) is inside a function nothing calls at start-up, so it would never run: call it at the top level of the file, or in an exported factory that takes no arguments (export const myHooks = () => ${hook}(...)), which the bootstrap calls`),
              )
            } else if (!seenFactories.has(factory.declaration)) {
              seenFactories.add(factory.declaration)
              factories.push({ file: sourceFile.fileName, exportName: factory.exportName })
            }
          }
        }
      }
      ts.forEachChild(node, visit)
    }
    visit(sourceFile)
    if (topLevel) files.push(sourceFile.fileName)
  }
  return { files, factories }
}

/** The function a node is in, furthest out; undefined at the top level of the file. */
function outermostFunction(node: ts.Node): ts.SignatureDeclaration | undefined {
  let outermost: ts.SignatureDeclaration | undefined
  for (let current = node.parent; current && !ts.isSourceFile(current); current = current.parent) {
    if (ts.isFunctionLike(current)) outermost = current
  }
  return outermost
}

/**
 * The export under which the bootstrap can call this function: a top-level
 * `export const name = () => …`, `export function name() {…}` or `export
 * default () => …` with no required parameter.
 */
function callableFactory(func: ts.SignatureDeclaration, exportNames: Map<ts.Node, string>): { declaration: ts.Node; exportName: string } | undefined {
  if (func.parameters.some((parameter) => !parameter.questionToken && !parameter.initializer && !parameter.dotDotDotToken)) return undefined
  if (ts.isFunctionDeclaration(func) && ts.isSourceFile(func.parent)) {
    const exportName = exportNames.get(func)
    return exportName ? { declaration: func, exportName } : undefined
  }
  if (!ts.isArrowFunction(func) && !ts.isFunctionExpression(func)) return undefined
  const holder = func.parent
  if (ts.isExportAssignment(holder) && !holder.isExportEquals) return { declaration: holder, exportName: 'default' }
  if (ts.isVariableDeclaration(holder) && holder.initializer === func && ts.isSourceFile(holder.parent.parent.parent)) {
    const exportName = exportNames.get(holder)
    return exportName ? { declaration: holder, exportName } : undefined
  }
  return undefined
}
