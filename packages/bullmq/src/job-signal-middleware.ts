import { pikkuMiddleware } from '@pikku/core'
import type { CoreQueueWorker } from '@pikku/core/queue'
import { QueueWire } from './queue-wire.js'
import { jobTraceId, runningJobs } from './running-jobs.js'

/**
 * Puts the running job's AbortSignal on `wire.queue.signal` for the attempts
 * that go through core's `runQueueJob` (jobs that claim a user): core builds
 * that wire itself and offers no way to add to it, but wire middleware
 * receives that very object. The other attempts get a {@link QueueWire},
 * which has the signal already. Runs first, so every later middleware and
 * the function see it.
 */
const attachJobSignal = pikkuMiddleware({
  priority: 'highest',
  func: async (_services, wire, next) => {
    if (wire.queue && !(wire.queue instanceof QueueWire)) {
      wire.queue.signal = runningJobs.get(jobTraceId(wire.queue.queueName, wire.queue.jobId))?.signal
    }
    await next()
  },
})

/**
 * Adds the middleware to a wiring once. It must happen before the queue's
 * first job: core caches each wiring's middleware chain on first use.
 */
export function addJobSignalMiddleware(registration: CoreQueueWorker): void {
  const middleware = registration.middleware ?? []
  if (!middleware.includes(attachJobSignal)) registration.middleware = [attachJobSignal, ...middleware]
}
