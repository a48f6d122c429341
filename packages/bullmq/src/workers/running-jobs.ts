import type { Job, Worker } from 'bullmq'

/** A job this process is running: what shutdown needs to hand it back, and its abort signal. */
export class RunningJob {
  private controller: AbortController | undefined

  constructor(
    readonly job: Job,
    readonly worker: Worker,
    /** Its lock token: a forced shutdown hands the job back with it. */
    readonly token: string | undefined,
  ) {}

  /**
   * Aborted when the attempt times out, is cancelled (`cancelJob`), or the
   * worker is force-closed. Made on first use: an AbortController costs about
   * 5 µs on Node 20, and most jobs never look at their signal.
   */
  get signal(): AbortSignal {
    this.controller ??= new AbortController()
    return this.controller.signal
  }

  abort(reason: unknown): void {
    // Made here if nobody asked yet, so a function that reads the signal later still sees it aborted.
    this.controller ??= new AbortController()
    this.controller.abort(reason)
  }
}

/**
 * The jobs this process is running, by the trace id the worker passes to core
 * (`<queue>:<job id>`): forced shutdown hands them back, `cancelJob` aborts
 * them, and the signal middleware finds a job's signal here for the runs
 * that go through core's `runQueueJob`. A map rather than AsyncLocalStorage,
 * whose async hooks would slow down every promise in the process.
 */
export const runningJobs = new Map<string, RunningJob>()

/** The trace id of a job: job ids repeat across queues, the queue name makes it unique. */
export function jobTraceId(queueName: string, jobId: string): string {
  return `${queueName}:${jobId}`
}
