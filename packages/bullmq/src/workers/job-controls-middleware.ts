import { pikkuMiddleware } from '@pikku/core'
import type { CoreQueueWorker } from '@pikku/core/queue'
import { attachJobControls, QueueWire } from './queue-wire.js'
import { jobTraceId, runningJobs } from './running-jobs.js'

/**
 * Puts the job controls (signal, attempt, log, children's results) on
 * `wire.queue` for the attempts that go through core's `runQueueJob` (jobs
 * that claim a user). The other attempts get a {@link QueueWire}, which has
 * them already. Runs first, so every later middleware and the function see them.
 */
const attachControls = pikkuMiddleware({
  priority: 'highest',
  func: async (_services, wire, next) => {
    if (wire.queue && !(wire.queue instanceof QueueWire)) {
      const running = runningJobs.get(jobTraceId(wire.queue.queueName, wire.queue.jobId))
      if (running) attachJobControls(wire.queue, running)
    }
    await next()
  },
})

/** Whether a middleware is this one, which the lean path leaves out: it gives every attempt a QueueWire. */
export function isJobControlsMiddleware(middleware: unknown): boolean {
  return middleware === attachControls
}

/**
 * Adds the middleware to a wiring once. It must happen before the queue's
 * first job: core caches each wiring's middleware chain on first use.
 */
export function addJobControlsMiddleware(registration: CoreQueueWorker): void {
  const middleware = registration.middleware ?? []
  if (!middleware.includes(attachControls)) registration.middleware = [attachControls, ...middleware]
}
