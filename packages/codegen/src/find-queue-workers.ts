import { relative } from 'node:path'
import ts from 'typescript'
import type { Diagnostic } from './codegen-error.js'
import type { FoundFunction } from './find-pikku-functions.js'
import type { QueueWorkerInfo } from './project-model.js'
import { diagnosticAt } from './source-location.js'

/** BullMQ builds Redis keys as prefix:queue:suffix, so a colon in a name breaks them. */
const INVALID_QUEUE_NAME = /:/

/**
 * Finds every `wireQueueWorker({ name: 'literal', func: exportedFunction })`
 * and reports each one codegen cannot turn into typed meta.
 */
export function findQueueWorkers(
  sourceFiles: readonly ts.SourceFile[],
  functions: readonly FoundFunction[],
  checker: ts.TypeChecker,
  rootDir: string,
  diagnostics: Diagnostic[],
): QueueWorkerInfo[] {
  const workers: QueueWorkerInfo[] = []
  const firstWiring = new Map<string, ts.Node>()
  const byDeclaration = new Map(functions.map((f) => [f.declaration as ts.Node, f]))

  const inspectCall = (call: ts.CallExpression) => {
    const [argument] = call.arguments
    if (!argument || !ts.isObjectLiteralExpression(argument)) {
      diagnostics.push(diagnosticAt(call, 'wireQueueWorker needs an object literal: wireQueueWorker({ name: "my-queue", func: myFunction })'))
      return
    }
    const nameNode = propertyValue(argument, 'name')
    const funcNode = propertyValue(argument, 'func')
    if (!nameNode || !ts.isStringLiteralLike(nameNode)) {
      diagnostics.push(diagnosticAt(nameNode ?? argument, 'queue name must be a string literal, e.g. name: "send-email", so codegen can type the producer'))
      return
    }
    const name = nameNode.text
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
    const func = funcNode && ts.isIdentifier(funcNode) ? resolveFunction(funcNode, checker, byDeclaration) : undefined
    if (!funcNode || !ts.isIdentifier(funcNode)) {
      diagnostics.push(diagnosticAt(funcNode ?? argument, `queue "${name}": func must name a function declared with pikkuSessionlessFunc and exported from its file`))
    } else if (!func) {
      diagnostics.push(diagnosticAt(funcNode, `queue "${name}": ${funcNode.text} is not a function declared with pikkuSessionlessFunc(...) or pikkuFunc(...) at the top level of a file in the source directories`))
    } else if (!func.exported) {
      diagnostics.push(diagnosticAt(func.declaration.name, `function ${func.id} is wired to queue "${name}" but not exported; add "export" so the generated producer can import its type`))
    } else if (!func.sessionless) {
      diagnostics.push(diagnosticAt(funcNode, `queue "${name}": ${func.id} is declared with pikkuFunc, which needs a user session, and queue jobs have none; declare it with pikkuSessionlessFunc`))
    } else {
      workers.push({ name, functionId: func.id, file: call.getSourceFile().fileName })
    }
  }

  for (const sourceFile of sourceFiles) {
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'wireQueueWorker') {
        inspectCall(node)
      }
      ts.forEachChild(node, visit)
    }
    visit(sourceFile)
  }
  return workers
}

function propertyValue(object: ts.ObjectLiteralExpression, key: string): ts.Expression | undefined {
  for (const property of object.properties) {
    if (property.name && ts.isIdentifier(property.name) && property.name.text === key) {
      if (ts.isPropertyAssignment(property)) return property.initializer
      if (ts.isShorthandPropertyAssignment(property)) return property.name
    }
  }
  return undefined
}

/** Follows imports (and re-exports) from the identifier to the function's declaration. */
function resolveFunction(
  identifier: ts.Identifier,
  checker: ts.TypeChecker,
  byDeclaration: Map<ts.Node, FoundFunction>,
): FoundFunction | undefined {
  let symbol = ts.isShorthandPropertyAssignment(identifier.parent)
    ? checker.getShorthandAssignmentValueSymbol(identifier.parent)
    : checker.getSymbolAtLocation(identifier)
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol)
  return symbol?.declarations?.map((d) => byDeclaration.get(d)).find((f) => f !== undefined)
}
