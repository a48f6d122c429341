import type { Job } from 'bullmq'
import { QueueJobDiscardedError, QueueJobFailedError, type PikkuQueue } from '@pikku/core/queue'
import type { RunningJob } from './running-jobs.js'

/**
 * `wire.queue` for one attempt: what core's `runQueueJob` would put there,
 * plus the job controls pikku-bullmq adds (see {@link JobControls}). The
 * signal is a getter on the class, so it costs nothing until a function reads
 * it; the methods are per-instance arrow functions, so destructuring them
 * works as it does with core's.
 */
export class QueueWire implements PikkuQueue {
  readonly queueName: string
  readonly jobId: string
  /** Jobs that claim a user are run by core's `runQueueJob`, which verifies the claim. */
  readonly pikkuUserId: string | undefined = undefined
  readonly attempt: number
  readonly maxAttempts: number

  constructor(private readonly running: RunningJob) {
    this.queueName = running.job.queueName
    this.jobId = running.job.id!
    this.attempt = attemptNumber(running.job)
    this.maxAttempts = maxAttempts(running.job)
  }

  get signal(): AbortSignal {
    return this.running.signal
  }

  readonly updateProgress = async (progress: number | string | object): Promise<void> => {
    await this.running.job.updateProgress(progress)
  }

  readonly log = async (line: string): Promise<void> => {
    await this.running.job.log(line)
  }

  readonly getChildrenValues = <T = unknown>(): Promise<Record<string, T>> => this.running.job.getChildrenValues<T>()

  readonly fail = async (reason?: string): Promise<void> => {
    throw new QueueJobFailedError(this.jobId, reason)
  }

  readonly discard = async (reason?: string): Promise<void> => {
    throw new QueueJobDiscardedError(this.jobId, reason)
  }
}

/**
 * The job controls pikku-bullmq adds to `wire.queue`, put on the wire core's
 * `runQueueJob` builds for jobs that claim a user: core offers no way to add
 * to it, but wire middleware receives that very object.
 */
export function attachJobControls(queue: PikkuQueue, running: RunningJob): void {
  const { job } = running
  Object.defineProperty(queue, 'signal', { get: () => running.signal, configurable: true, enumerable: true })
  Object.assign(queue, {
    attempt: attemptNumber(job),
    maxAttempts: maxAttempts(job),
    log: async (line: string) => {
      await job.log(line)
    },
    getChildrenValues: () => job.getChildrenValues(),
  })
}

/** 1 for the first try: BullMQ counts attemptsMade only once an attempt has failed. */
function attemptNumber(job: Job): number {
  return job.attemptsMade + 1
}

function maxAttempts(job: Job): number {
  return Math.max(1, job.opts.attempts ?? 1)
}
