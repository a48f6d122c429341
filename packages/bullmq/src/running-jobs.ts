import type { Job, Worker } from 'bullmq'

/** A job this process is running. */
export interface RunningJob {
  job: Job
  worker: Worker
  /** Its lock token: a forced shutdown hands the job back with it. */
  token: string | undefined
  /** Aborted when the attempt times out, is cancelled, or the worker is force-closed. */
  signal: AbortSignal | undefined
}

/**
 * The jobs this process is running, by the trace id the worker passes to core
 * (`<queue>:<job id>`). Core hands the signal middleware and the log filter
 * only what it builds itself (the wire, a scoped logger), so they look the
 * job up here. A map rather than AsyncLocalStorage, whose async hooks would
 * slow down every promise in the process.
 */
export const runningJobs = new Map<string, RunningJob>()

/** The trace id of a job: job ids repeat across queues, the queue name makes it unique. */
export function jobTraceId(queueName: string, jobId: string): string {
  return `${queueName}:${jobId}`
}
