import type { QueueWorkerInfo } from '../project-model.js'
import { GENERATED_HEADER } from './import-path.js'
import { tagMeta } from './tag-meta.js'

/** Core's queue meta: wireQueueWorker skips any queue that has no entry here when it is called. */
export function renderQueueMeta(workers: readonly QueueWorkerInfo[]): string {
  const meta = Object.fromEntries(workers.map((w) => [w.name, { pikkuFuncId: w.functionId, name: w.name, ...tagMeta(w.tags) }]))
  return `${GENERATED_HEADER}import type { QueueWorkersMeta } from '@pikku/core/queue'
import { pikkuState } from '@pikku/core/ecosystem'

pikkuState(null, 'queue', 'meta', ${JSON.stringify(meta, null, 2)} satisfies QueueWorkersMeta)
`
}
