import { relative } from 'node:path'
import ts from 'typescript'
import type { Diagnostic } from './codegen-error.js'
import { propertyValue, type FoundFunction } from './find-pikku-functions.js'
import type { QueueWorkerInfo } from './project-model.js'
import { readStringList } from './read-string-list.js'
import { resolveDeclaration, resolveDefiner } from './resolve-definer.js'
import { diagnosticAt } from './source-location.js'

/** BullMQ builds Redis keys as prefix:queue:suffix, so a colon in a name breaks them. */
const INVALID_QUEUE_NAME = /:/

/**
 * Finds every call to wireQueueWorker, however it is imported, and reports
 * each one codegen cannot turn into typed meta. Inline functions (`func:
 * pikkuSessionlessFunc(...)`) get their id here, from the queue name.
 */
export function findQueueWorkers(
  sourceFiles: readonly ts.SourceFile[],
  functions: readonly FoundFunction[],
  checker: ts.TypeChecker,
  isDefinerFile: (fileName: string) => boolean,
  rootDir: string,
  diagnostics: Diagnostic[],
): QueueWorkerInfo[] {
  const workers: QueueWorkerInfo[] = []
  const firstWiring = new Map<string, ts.Node>()
  const byCall = new Map(functions.map((f) => [f.call as ts.Node, f]))
  const byDeclaration = new Map(functions.filter((f) => !f.inline).map((f) => [f.call.parent, f]))

  const inspectCall = (call: ts.CallExpression) => {
    const [argument] = call.arguments
    if (!argument || !ts.isObjectLiteralExpression(argument)) {
      diagnostics.push(diagnosticAt(argument ?? call, 'wireQueueWorker needs an object literal written in place, so codegen can read it: wireQueueWorker({ name: "my-queue", func: myFunction })'))
      return
    }
    const nameNode = propertyValue(argument, 'name')
    const funcNode = propertyValue(argument, 'func')
    if (!nameNode) {
      const queueNode = propertyValue(argument, 'queue')
      diagnostics.push(
        queueNode
          ? diagnosticAt(queueNode.parent, 'wireQueueWorker takes the queue name as name:, not queue: (rename the property: name: "my-queue")')
          : diagnosticAt(argument, 'wireQueueWorker needs the queue name: add name: "my-queue"'),
      )
      return
    }
    const nameType = checker.getTypeAtLocation(nameNode)
    if (!nameType.isStringLiteral()) {
      diagnostics.push(
        diagnosticAt(nameNode, `the queue name must be known when codegen runs: a string literal or a const holding one (name: "send-email"), not a value of type ${checker.typeToString(nameType)}`),
      )
      return
    }
    const name = nameType.value
    if (name === '' || INVALID_QUEUE_NAME.test(name)) {
      diagnostics.push(diagnosticAt(nameNode, `queue name "${name}" is not valid: use a non-empty name without ":"`))
      return
    }
    const previous = firstWiring.get(name)
    if (previous) {
      const at = diagnosticAt(previous, '')
      const where = `${relative(rootDir, at.file)}:${at.line}:${at.column}`
      diagnostics.push(diagnosticAt(nameNode, `queue "${name}" is already wired at ${where}; each queue has one worker function`))
      return
    }
    firstWiring.set(name, nameNode)
    if (!funcNode) {
      diagnostics.push(diagnosticAt(argument, `queue "${name}" needs its worker: add func: myFunction (declared with pikkuSessionlessFunc)`))
      return
    }
    const func = byCall.get(funcNode) ?? byDeclaration.get(resolveDeclaration(funcNode, checker) as ts.Node)
    if (!func) {
      diagnostics.push(diagnosticAt(funcNode, `queue "${name}": ${funcNode.getText()} is not a function declared with pikkuSessionlessFunc(...) in the source directories (declare it as export const ${ts.isIdentifier(funcNode) ? funcNode.text : 'myWorker'} = pikkuSessionlessFunc(...))`))
      return
    }
    if (func.inline) func.id = inlineId(name)
    if (!func.sessionless) {
      diagnostics.push(diagnosticAt(funcNode, `queue "${name}": ${func.id} is declared with pikkuFunc, which needs a user session, and queue jobs have none; declare it with pikkuSessionlessFunc`))
      return
    }
    const tagsNode = propertyValue(argument, 'tags')
    const tags = tagsNode ? readStringList(tagsNode, 'tags', checker, diagnostics) : []
    workers.push({ name, functionId: func.id, file: call.getSourceFile().fileName, tags })
  }

  for (const sourceFile of sourceFiles) {
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && resolveDefiner(node, checker, isDefinerFile) === 'wireQueueWorker') inspectCall(node)
      ts.forEachChild(node, visit)
    }
    visit(sourceFile)
  }
  return workers
}

/** `send-email` → `sendEmailWorker`: the id of a function declared inline in its wiring. */
function inlineId(queueName: string): string {
  const words = queueName.split(/[^A-Za-z0-9]+/).filter(Boolean)
  const id = words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('')
  return `${/^[0-9]/.test(id) ? `_${id}` : id}Worker`
}
