import ts from 'typescript'
import type { Diagnostic } from './codegen-error.js'
import { importedFromCore } from './resolve-definer.js'
import { diagnosticAt } from './source-location.js'

/** Core's wirings this project runs, and the generated module that offers the typed form of each. */
const SUPPORTED: Record<string, string> = { wireQueueWorker: '#pikku/queue', wireScheduler: '#pikku/scheduler' }

/**
 * Reports calls to core's own wirings. The ones this project has no runtime for
 * (wireHTTP, wireChannel, wireMCP, …) would be silently dead code: errors. Core's
 * wireQueueWorker and wireScheduler run, but untyped and without what the
 * generated ones add: warnings that say what to import instead.
 */
export function findCoreWirings(sourceFiles: readonly ts.SourceFile[], checker: ts.TypeChecker, diagnostics: Diagnostic[], warnings: Diagnostic[]): void {
  for (const sourceFile of sourceFiles) {
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const name = importedFromCore(node, checker)
        if (name && SUPPORTED[name]) {
          warnings.push(
            diagnosticAt(node.expression, `${name} imported from @pikku/core runs, but it is core's untyped form: tsc rejects its func once SingletonServices has services of your own, and it skips what the generated ${name} adds (tag permissions, the output check in development, the check that .pikku/ is current); import { ${name} } from '${SUPPORTED[name]}'`),
          )
        } else if (name && /^wire[A-Z]/.test(name)) {
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
