import { AsyncLocalStorage } from 'node:async_hooks'

/** What the worker knows about the job whose code is running right now. */
export interface JobContext {
  queueName: string
  jobId: string
  /** Aborted when the attempt times out, is cancelled, or the worker is force-closed. */
  signal: AbortSignal
}

/**
 * Carries the running job through `runQueueJob` (which only passes the wire
 * it builds itself) to the middleware and log filter of this package.
 */
export const jobContext = new AsyncLocalStorage<JobContext>()
