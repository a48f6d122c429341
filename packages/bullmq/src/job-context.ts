import { AsyncLocalStorage } from 'node:async_hooks'

/** What the worker hands to the code of the job running right now. */
export interface JobContext {
  /** Aborted when the attempt times out, is cancelled, or the worker is force-closed. */
  signal: AbortSignal
}

/**
 * Carries the running job through `runQueueJob` (which only passes the wire
 * it builds itself) to the middleware and log filter of this package.
 */
export const jobContext = new AsyncLocalStorage<JobContext>()
