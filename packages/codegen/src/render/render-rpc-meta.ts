import type { PikkuFunctionInfo } from '../project-model.js'
import { GENERATED_HEADER } from './import-path.js'

/**
 * Core's rpc meta, name → function id: a workflow step finds its function through it, and
 * only through it does core see a step function's workflowQueued and send the step to its queue.
 */
export function renderRpcMeta(functions: readonly PikkuFunctionInfo[]): string {
  const meta: Record<string, string> = Object.fromEntries(functions.map((f) => [f.id, f.id]))
  return `${GENERATED_HEADER}import { pikkuState } from '@pikku/core/ecosystem'

pikkuState(null, 'rpc', 'meta', ${JSON.stringify(meta, null, 2)})
`
}
