import ts from 'typescript'
import type { Diagnostic } from './codegen-error.js'
import { importedFromCore } from './resolve-definer.js'
import { diagnosticAt } from './source-location.js'

/** The wirings this project generates and runs. */
const SUPPORTED = new Set(['wireQueueWorker', 'wireScheduler'])

/**
 * Reports calls to core's other wirings (wireHTTP, wireChannel, wireMCP, …):
 * this project has no runtime for them, so they would be silently dead code.
 */
export function findUnsupportedWirings(sourceFiles: readonly ts.SourceFile[], checker: ts.TypeChecker, diagnostics: Diagnostic[]): void {
  for (const sourceFile of sourceFiles) {
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const name = importedFromCore(node, checker)
        if (name && /^wire[A-Z]/.test(name) && !SUPPORTED.has(name)) {
          diagnostics.push(
            diagnosticAt(node.expression, `${name} is not supported in this project: its runtime is BullMQ, which runs wireQueueWorker and wireScheduler wirings only, so this wiring would never run; remove it or move it to a project with that runtime`),
          )
        }
      }
      ts.forEachChild(node, visit)
    }
    visit(sourceFile)
  }
}
