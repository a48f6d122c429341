import type { PikkuFunctionInfo, QueueWorkerInfo, WorkflowInfo } from '../project-model.js'
import { orchestratorFunctionId, orchestratorQueueName, stepQueueName, stepWorkerFunctionId } from '../workflow-queue-names.js'
import { GENERATED_HEADER } from './import-path.js'
import { tagMeta } from './tag-meta.js'

/**
 * Core's queue meta: wireQueueWorker skips any queue that has no entry here when it is called.
 * It also lists each workflow's orchestrator queue and each workflowQueued function's step
 * queue: core sends a workflow's jobs to them only when they are here (else to a shared queue),
 * and the runtime wires a worker on each.
 */
export function renderQueueMeta(workers: readonly QueueWorkerInfo[], workflows: readonly WorkflowInfo[], functions: readonly PikkuFunctionInfo[]): string {
  const entry = (name: string, pikkuFuncId: string, tags: readonly string[] = []) => [name, { pikkuFuncId, name, ...tagMeta(tags) }] as const
  const meta = Object.fromEntries([
    ...workers.map((w) => entry(w.name, w.functionId, w.tags)),
    ...workflows.map((w) => entry(orchestratorQueueName(w.name), orchestratorFunctionId(w.name))),
    ...functions.filter((f) => f.workflowQueued).map((f) => entry(stepQueueName(f.id), stepWorkerFunctionId(f.id))),
  ])
  return `${GENERATED_HEADER}import type { QueueWorkersMeta } from '@pikku/core/queue'
import { pikkuState } from '@pikku/core/ecosystem'

pikkuState(null, 'queue', 'meta', ${JSON.stringify(meta, null, 2)} satisfies QueueWorkersMeta)
`
}
