import { getCreateWireServices, getSingletonServices, pikkuState, runPikkuFunc } from '@pikku/core/ecosystem'
import { PikkuMissingMetaError } from '@pikku/core/errors'
import { runQueueJob } from '@pikku/core/queue'
import type { Logger } from '@pikku/core/services'
import { mapBullJob } from './map-bull-job.js'
import type { BullJobOptions } from './map-job-options.js'
import { QueueWire } from './queue-wire.js'
import type { RunningJob } from './running-jobs.js'

// The published .d.ts says Promise<void>, but runQueueJob resolves to the function's result.
const runCoreQueueJob = runQueueJob as (...args: Parameters<typeof runQueueJob>) => Promise<unknown>

/**
 * Runs one attempt of a job: the wired function with its middleware,
 * permissions, input validation and wire services, through core's
 * `runPikkuFunc`, and resolves to the function's result.
 *
 * This is what core's `runQueueJob` does, with its two per-job log lines at
 * debug and `wire.queue` built as a {@link QueueWire}, whose signal costs
 * nothing until read (the per-job profile is in BENCHMARKS.md). A job that
 * claims a user (`pikkuUserId`, signed by SignedQueueService) goes through
 * `runQueueJob` itself, because only core can verify the claim.
 */
export async function runQueueAttempt(running: RunningJob, traceId: string, logger: Logger): Promise<unknown> {
  const { job } = running
  if ((job.opts as BullJobOptions).pikkuUserId) {
    return runCoreQueueJob({ job: mapBullJob(job), updateProgress: (progress) => job.updateProgress(progress), traceId })
  }
  const meta = pikkuState(null, 'queue', 'meta')[job.queueName]
  if (!meta) throw new PikkuMissingMetaError(`Missing generated metadata for queue worker '${job.queueName}'`)
  const registration = pikkuState(null, 'queue', 'registrations').get(job.queueName)
  if (!registration) throw new Error(`Queue worker registration not found for: ${job.queueName}`)

  logger.debug(`Processing job ${job.id} in queue ${job.queueName}`)
  const result = await runPikkuFunc('queue', job.queueName, meta.pikkuFuncId, {
    singletonServices: getSingletonServices(),
    createWireServices: getCreateWireServices(),
    auth: false,
    data: () => job.data,
    inheritedMiddleware: meta.middleware,
    wireMiddleware: registration.middleware,
    tags: registration.tags,
    wire: { traceId, queue: new QueueWire(running) },
  })
  logger.debug(`Processed job ${job.id} in queue ${job.queueName}`)
  return result
}
