import type { SchedulerInfo } from '../project-model.js'
import { GENERATED_HEADER } from './import-path.js'
import { tagMeta } from './tag-meta.js'

/** Core's scheduler meta: wireScheduler reads it when called, and a scheduler runtime reads each task's schedule from it. */
export function renderSchedulerMeta(schedulers: readonly SchedulerInfo[]): string {
  const meta = Object.fromEntries(
    schedulers.map((s) => [s.name, { pikkuFuncId: s.functionId, name: s.name, schedule: s.schedule, ...tagMeta(s.tags) }]),
  )
  return `${GENERATED_HEADER}import type { ScheduledTasksMeta } from '@pikku/core/scheduler'
import { pikkuState } from '@pikku/core/ecosystem'

pikkuState(null, 'scheduler', 'meta', ${JSON.stringify(meta, null, 2)} satisfies ScheduledTasksMeta)
`
}
