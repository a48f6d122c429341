import { createHash } from 'node:crypto'
import { relative } from 'node:path'
import ts from 'typescript'
import { closestName } from './closest-name.js'
import type { Diagnostic } from './codegen-error.js'
import { compareCodePoints } from './compare-code-points.js'
import type { FoundFunction } from './find-pikku-functions.js'
import type { QueueWorkerInfo, SchedulerInfo, WorkflowInfo, WorkflowStepInfo } from './project-model.js'
import { importedFromCore } from './resolve-definer.js'
import { diagnosticAt } from './source-location.js'
import { orchestratorQueueName, stepQueueName } from './workflow-queue-names.js'

/** The workflow DSL core has but pikku-bullmq cannot run yet, and what to write instead. */
const UNSUPPORTED_MEMBERS: Record<string, string> = {
  suspend:
    "nothing in this runtime resumes a suspended run. Model the wait as a step that polls (workflow.do('Check payment', 'checkPayment', { orderId }, { retries: 20, retryDelay: '5m' }), a function that throws until it is done), or end this workflow and start another when the event arrives (services.workflows.start(...))",
  approval:
    "this runtime has no way to record a decision. Model the approval as a step that polls for it (workflow.do('Await approval', 'checkApproval', { orderId }, { retries: 20, retryDelay: '5m' }), a function that throws until it is decided), or end this workflow and start a second one from the function that receives the decision (services.workflows.start(...))",
}
const EXPECT_INSTEAD = "it is a scenario assertion, which this runtime does not run: assert in a test instead (run the workflow with services.workflows.start and check its result with waitForResult)"
const GRAPH_INSTEAD = "write the workflow as pikkuWorkflowFunc (from '#pikku/workflow'), each node a step: await workflow.do('Step', 'myFunction', data)"

export interface Workflows {
  workflows: WorkflowInfo[]
  /** Ids of the functions workflow steps run that no wiring registers with core. */
  unwiredStepFunctions: string[]
}

/**
 * Reads each workflow's steps: the workflow.do and workflow.sleep calls in its func, found by
 * the type of their receiver (the `workflow` of the wire, however it is reached or renamed).
 * Reports what the runtime could not run: an rpc name not known at codegen time or not a
 * function of the project, DSL this runtime does not support (anywhere in the sources), a
 * workflow or step function the generated wirings cannot import, and workflow queue names
 * that collide.
 */
export function findWorkflows(
  sourceFiles: readonly ts.SourceFile[],
  functions: readonly FoundFunction[],
  wired: { queueWorkers: readonly QueueWorkerInfo[]; schedulers: readonly SchedulerInfo[] },
  checker: ts.TypeChecker,
  isDefinerFile: (fileName: string) => boolean,
  rootDir: string,
  diagnostics: Diagnostic[],
): Workflows {
  const isDeclared = (type: ts.Type, name: string): boolean => {
    const symbol = type.aliasSymbol ?? type.getSymbol()
    return symbol?.name === name && (symbol.declarations ?? []).some((d) => isDefinerFile(d.getSourceFile().fileName))
  }
  const isWorkflow = (node: ts.Node) => isDeclared(checker.getTypeAtLocation(node), 'TypedWorkflow')
  const byId = new Map(functions.map((f) => [f.id, f]))
  const definitions = functions.filter((f) => f.workflow)
  // The implementation as written: `pikkuWorkflowFunc(orderImpl)` hashes and reads orderImpl's body.
  const implementations = new Map<FoundFunction, ts.Node>()
  for (const definition of definitions) {
    const implementation = implementationOf(definition.funcNode, checker)
    if (implementation) implementations.set(definition, implementation)
    else diagnostics.push(diagnosticAt(definition.funcNode, `the func of workflow ${definition.id} must be written where codegen can read it: inline (func: async (services, data, { workflow }) => ...) or a function declared in the project`))
  }
  const byFuncNode = new Map<ts.Node, FoundFunction>([...implementations].map(([f, node]) => [node, f]))
  // Steps of a workflow run by a helper it is given: checked and registered, but no workflow's plan is complete.
  let unattributedSteps = false
  const steps = new Map<FoundFunction, WorkflowStepInfo[]>(definitions.map((f) => [f, []]))
  const stepAnchors = new Map<string, ts.Node>()

  const readStep = (call: ts.CallExpression, member: 'do' | 'sleep'): WorkflowStepInfo | undefined => {
    const [stepNode, target] = call.arguments
    const stepName = stepNode && (ts.isStringLiteral(stepNode) || ts.isNoSubstitutionTemplateLiteral(stepNode)) ? stepNode.text : undefined
    const { line, column } = diagnosticAt(call, '')
    const step = { stepName, rpcName: undefined, location: { line, column } }
    if (member === 'sleep') return { kind: 'sleep', ...step }
    if (!target) {
      diagnostics.push(diagnosticAt(call, "workflow.do needs what the step runs: a function's name (workflow.do('Reserve stock', 'reserveStock', data)) or an inline function (workflow.do('Make note', async () => ...))"))
      return undefined
    }
    const targetType = checker.getTypeAtLocation(target)
    if (targetType.getCallSignatures().length > 0) {
      readStepOptions(call.arguments[2], 'inline')
      return { kind: 'inline', ...step }
    }
    if (!targetType.isStringLiteral()) {
      diagnostics.push(
        diagnosticAt(target, `the function a workflow step runs must be known when codegen runs: a string literal naming a function or workflow of the project (workflow.do('Reserve stock', 'reserveStock', data)), not a value of type ${checker.typeToString(targetType)}; to choose at run time, branch between steps that name their function`),
      )
      return undefined
    }
    const rpcName = targetType.value
    if (!byId.has(rpcName)) {
      const suggestion = closestName(rpcName, byId.keys())
      diagnostics.push(
        diagnosticAt(target, `workflow step '${stepName ?? '…'}' runs '${rpcName}', which is not a function or workflow of the project${suggestion ? `: did you mean '${suggestion}'?` : ': declare it with pikkuSessionlessFunc (or pikkuWorkflowFunc) in the source directories, or name one that is'}`),
      )
      return undefined
    }
    if (!byId.get(rpcName)!.sessionless) {
      diagnostics.push(diagnosticAt(target, needsSession(rpcName, `workflow step '${stepName ?? '…'}' runs`)))
      return undefined
    }
    if (!stepAnchors.has(rpcName)) stepAnchors.set(rpcName, target)
    readStepOptions(call.arguments[3], 'rpc')
    return { kind: 'rpc', ...step, rpcName }
  }

  /**
   * A step's `onError` compensation names a function (or workflow) the generated wirings must
   * register, so it is read like the step's own; core runs none for an inline step. `actor` is
   * for Pikku scenarios.
   */
  const readStepOptions = (options: ts.Expression | undefined, kind: 'rpc' | 'inline'): void => {
    if (!options) return
    const type = checker.getTypeAtLocation(options)
    const at = (name: string): ts.Node => (ts.isObjectLiteralExpression(options) ? options.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === name) : undefined) ?? options
    if (type.getProperty('actor')) {
      diagnostics.push(diagnosticAt(at('actor'), 'actor runs a step as a scenario persona, which this runtime does not run: call the function as the step itself'))
    }
    const onError = type.getProperty('onError')
    if (!onError) return
    if (kind === 'inline') {
      diagnostics.push(
        diagnosticAt(at('onError'), "onError is ignored on an inline step by @pikku/core 0.12.84 (only a step that runs a function gets compensation): run the work as a function, workflow.do('Charge', 'chargeCard', data, { onError: 'refundCharge' }), or undo it inside the inline function"),
      )
      return
    }
    // The literal as written: the checker widens a name that is not an RPCName to string.
    const written = at('onError')
    const literal = ts.isPropertyAssignment(written) && ts.isStringLiteralLike(written.initializer) ? written.initializer.text : undefined
    const valueType = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(onError, options))
    if (literal === undefined && valueType.flags & ts.TypeFlags.Never) return
    const name = literal ?? (valueType.isStringLiteral() ? valueType.value : undefined)
    if (name === undefined) {
      diagnostics.push(diagnosticAt(written, `onError must be known when codegen runs: a string literal naming a function of the project (onError: 'refundCharge'), not a value of type ${checker.typeToString(valueType)}`))
      return
    }
    if (!byId.has(name)) {
      const suggestion = closestName(name, byId.keys())
      diagnostics.push(diagnosticAt(at('onError'), `onError names '${name}', which is not a function or workflow of the project${suggestion ? `: did you mean '${suggestion}'?` : ''}`))
      return
    }
    if (!byId.get(name)!.sessionless) {
      diagnostics.push(diagnosticAt(at('onError'), needsSession(name, 'onError names')))
      return
    }
    if (!stepAnchors.has(name)) stepAnchors.set(name, at('onError'))
  }

  for (const sourceFile of sourceFiles) {
    const visit = (node: ts.Node): void => {
      // The member name is checked first: asking the checker about every property access would be most of a run.
      if (ts.isPropertyAccessExpression(node) && isStepOrDsl(node.name.text) && isWorkflow(node.expression)) {
        const member = node.name.text
        const instead = (Object.hasOwn(UNSUPPORTED_MEMBERS, member) ? UNSUPPORTED_MEMBERS[member] : undefined) ?? (member.startsWith('expect') ? EXPECT_INSTEAD : undefined)
        if (instead) {
          diagnostics.push(diagnosticAt(node, `workflow.${member}(...) is not supported by pikku-bullmq yet: ${instead}`))
        } else if ((member === 'do' || member === 'sleep') && ts.isCallExpression(node.parent) && node.parent.expression === node) {
          // A call outside every workflow's func (a helper given the workflow) is not a step codegen can attribute.
          const owner = enclosingWorkflow(node, byFuncNode)
          const step = readStep(node.parent, member)
          if (owner && step) steps.get(owner)!.push(step)
          if (!owner) unattributedSteps = true
        }
      } else if (ts.isCallExpression(node) && isWorkflowGraph(node, checker)) {
        diagnostics.push(diagnosticAt(node.expression, `pikkuWorkflowGraph(...) is not supported by pikku-bullmq yet: ${GRAPH_INSTEAD}`))
      }
      ts.forEachChild(node, visit)
    }
    visit(sourceFile)
  }

  const wiredIds = new Set([...wired.queueWorkers, ...wired.schedulers].map((w) => w.functionId))
  const workflows: WorkflowInfo[] = []
  for (const definition of definitions) {
    if (definition.exportName === undefined) {
      diagnostics.push(diagnosticAt(definition.anchor, `workflow ${definition.id} must be exported, so the generated wirings can register it: export const ${definition.id} = ...`))
      continue
    }
    const implementation = implementations.get(definition)
    if (!implementation) continue
    const workflowSteps = steps.get(definition)!
    workflows.push({
      name: definition.id,
      file: definition.file,
      exportName: definition.exportName,
      source: definition.workflow!,
      graphHash: graphHash(implementation),
      plannedSteps: unattributedSteps ? undefined : plannedSteps(implementation, workflowSteps, isWorkflow, (node) => isDeclared(checker.getTypeAtLocation(node), 'WorkflowFunctionWire')),
      steps: workflowSteps,
    })
  }

  const unwiredStepFunctions = [...stepAnchors.keys()].filter((id) => !byId.get(id)!.workflow && !wiredIds.has(id)).sort(compareCodePoints)
  for (const id of unwiredStepFunctions) {
    const func = byId.get(id)!
    if (func.exportName === undefined) {
      const at = diagnosticAt(stepAnchors.get(id)!, '')
      diagnostics.push(diagnosticAt(func.anchor, `${id} runs as a workflow step (${relative(rootDir, at.file)}:${at.line}:${at.column}), so the generated wirings register it: export it (export const ${id} = ...)`))
    }
  }
  reportQueueCollisions(functions, wired.queueWorkers, rootDir, diagnostics)
  return { workflows, unwiredStepFunctions }
}

function isStepOrDsl(member: string): boolean {
  return member === 'do' || member === 'sleep' || Object.hasOwn(UNSUPPORTED_MEMBERS, member) || member.startsWith('expect')
}

/** A workflow runs its steps without a session, so a pikkuFunc would refuse every call. */
function needsSession(id: string, what: string): string {
  return `${what} '${id}', declared with pikkuFunc, which needs a session: workflow steps run without one. Declare it with pikkuSessionlessFunc, and pass the user's id in its data`
}

/** A func given by name resolved to the function it names in the project's sources; undefined if there is none. */
function implementationOf(funcNode: ts.Expression, checker: ts.TypeChecker): ts.Node | undefined {
  if (!ts.isIdentifier(funcNode)) return funcNode
  let symbol = checker.getSymbolAtLocation(funcNode)
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol)
  const declaration = symbol?.declarations?.[0]
  if (!declaration || declaration.getSourceFile().isDeclarationFile) return undefined
  if (ts.isFunctionDeclaration(declaration)) return declaration
  if (ts.isVariableDeclaration(declaration) && declaration.initializer && (ts.isArrowFunction(declaration.initializer) || ts.isFunctionExpression(declaration.initializer))) return declaration.initializer
  return undefined
}

/** The workflow whose func holds this node, if any. */
function enclosingWorkflow(node: ts.Node, byFuncNode: ReadonlyMap<ts.Node, FoundFunction>): FoundFunction | undefined {
  for (let current: ts.Node | undefined = node; current; current = current.parent) {
    const owner = byFuncNode.get(current)
    if (owner) return owner
  }
  return undefined
}

/** A call of core's pikkuWorkflowGraph, imported from core or by that name from anywhere (Pikku's `#pikku/workflow` offers it). */
function isWorkflowGraph(call: ts.CallExpression, checker: ts.TypeChecker): boolean {
  if (importedFromCore(call, checker) === 'pikkuWorkflowGraph') return true
  if (!ts.isIdentifier(call.expression)) return false
  const declaration = checker.getSymbolAtLocation(call.expression)?.declarations?.[0]
  return declaration !== undefined && ts.isImportSpecifier(declaration) && (declaration.propertyName ?? declaration.name).text === 'pikkuWorkflowGraph'
}

/**
 * Identifies the version of a workflow's code: the first 16 hex digits of the SHA-256 of its
 * func's source text with each run of whitespace made one space. Re-indenting does not change
 * it; a changed comment does (a new version with the same steps, which the runtime resumes
 * runs on by step name), as does any change of code. Other files do not enter it.
 */
function graphHash(funcNode: ts.Node): string {
  return createHash('sha256').update(funcNode.getText().replace(/\s+/g, ' ')).digest('hex').slice(0, 16)
}

/**
 * The names of the workflow's steps in source order (each once), which the runtime checks a
 * redeployed definition against. Undefined when the list could be incomplete: a step name
 * computed at run time, or the workflow (or its wire) handed out of its func, where steps
 * codegen does not see could run.
 */
function plannedSteps(
  funcNode: ts.Node,
  steps: readonly WorkflowStepInfo[],
  isWorkflow: (node: ts.Node) => boolean,
  isWire: (node: ts.Node) => boolean,
): Array<{ stepName: string }> | undefined {
  if (steps.some((step) => step.stepName === undefined)) return undefined
  let escapes = false
  const visit = (node: ts.Node): void => {
    if (escapes) return
    if ((ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) && !staysInside(node) && (isWorkflow(node) || isWire(node))) {
      escapes = true
      return
    }
    ts.forEachChild(node, visit)
  }
  visit(funcNode)
  return escapes ? undefined : [...new Set(steps.map((step) => step.stepName!))].map((stepName) => ({ stepName }))
}

/**
 * Whether a use of the workflow (or its wire) keeps it inside the func: reading a member
 * (`workflow.do`), naming a declaration (`{ workflow }`, `wire`), or aliasing it (`const w =
 * workflow`, whose own uses are checked the same way). Any other use hands it out.
 */
function staysInside(node: ts.Node): boolean {
  const parent = node.parent
  if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === node) return true
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return true
  if ((ts.isParameter(parent) || ts.isBindingElement(parent) || ts.isVariableDeclaration(parent)) && parent.name === node) return true
  if (ts.isBindingElement(parent) && parent.propertyName === node) return true
  return ts.isVariableDeclaration(parent) && parent.initializer === node
}

/**
 * Workflow queue names are derived from workflow and function ids, so two ids can give one
 * name (`sendHTMLEmail`, `sendHtmlemail`), and a queue wired by hand can already carry it:
 * either way one queue would take both kinds of jobs.
 */
function reportQueueCollisions(functions: readonly FoundFunction[], queueWorkers: readonly QueueWorkerInfo[], rootDir: string, diagnostics: Diagnostic[]): void {
  const taken = new Map<string, { what: string; anchor: ts.Node }>()
  const wiredFiles = new Map(queueWorkers.map((worker) => [worker.name, worker.file]))
  for (const func of functions) {
    const queues = [
      ...(func.workflow ? [{ name: orchestratorQueueName(func.id), what: `workflow ${func.id}` }] : []),
      ...(func.workflowQueued ? [{ name: stepQueueName(func.id), what: `the workflowQueued steps of ${func.id}` }] : []),
    ]
    for (const queue of queues) {
      const wiredIn = wiredFiles.get(queue.name)
      const previous = taken.get(queue.name)
      if (wiredIn) {
        diagnostics.push(diagnosticAt(func.anchor, `queue "${queue.name}" is wired in ${relative(rootDir, wiredIn)}, and core runs ${queue.what} on a queue of that name: rename the wired queue`))
      } else if (previous) {
        const at = diagnosticAt(previous.anchor, '')
        diagnostics.push(
          diagnosticAt(func.anchor, `core runs ${queue.what} on queue "${queue.name}", as it does ${previous.what} (${relative(rootDir, at.file)}:${at.line}:${at.column}): core derives both names the same way (kebab-case of the id), so rename one`),
        )
      } else {
        taken.set(queue.name, { what: queue.what, anchor: func.anchor })
      }
    }
  }
}
