import type { PikkuFunctionInfo, WorkflowInfo } from '../project-model.js'
import { FunctionIoTypes } from './function-io-types.js'

/**
 * RPCMap: the input and output of every function and workflow by id, what a workflow step
 * (`workflow.do(step, id, data)`) takes and returns; WorkflowMap: the same for the workflows,
 * what `services.workflows.start` and the typed client take. Type-only, so a client process
 * imports them without loading any function's code.
 */
export function renderWorkflowMap(
  outFile: string,
  typesFile: string,
  functions: readonly PikkuFunctionInfo[],
  workflows: readonly WorkflowInfo[],
): string {
  const types = new FunctionIoTypes(outFile, typesFile)
  const entry = (func: PikkuFunctionInfo) =>
    `  readonly ${JSON.stringify(func.id)}: {\n    readonly input: ${types.input(func)}\n    readonly output: ${types.output(func)}\n  }`
  const byId = new Map(functions.map((f) => [f.id, f]))
  const rpcEntries = functions.map(entry)
  const workflowEntries = workflows.map((workflow) => entry(byId.get(workflow.name)!))
  return `${types.preamble()}
export interface RPCMap {
${rpcEntries.join('\n')}
}

export type RPCName = keyof RPCMap

export interface WorkflowMap {
${workflowEntries.join('\n')}
}

export type WorkflowName = keyof WorkflowMap
`
}
