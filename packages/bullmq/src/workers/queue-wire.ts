import type { Job } from 'bullmq'
import { QueueJobDiscardedError, QueueJobFailedError, type PikkuQueue } from '@pikku/core/queue'
import type { RunningJob } from './running-jobs.js'

/**
 * `wire.queue` for one attempt: what core's `runQueueJob` would put there,
 * plus the job controls pikku-bullmq adds (see {@link JobControls}). The
 * signal and the methods are getters on the class, so they cost nothing until
 * a function reads them; each method is a function made on read, so
 * destructuring it works as it does with core's.
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

  get updateProgress(): (progress: number | string | object) => Promise<void> {
    const { job } = this.running
    return async (progress) => {
      await job.updateProgress(progress)
    }
  }

  get log(): (line: string) => Promise<void> {
    const { job } = this.running
    return async (line) => {
      await job.log(line)
    }
  }

  get getChildrenValues(): <T = unknown>() => Promise<Record<string, T>> {
    const { job } = this.running
    return <T = unknown>() => job.getChildrenValues<T>()
  }

  get fail(): (reason?: string) => Promise<void> {
    const { jobId } = this
    return async (reason) => {
      throw new QueueJobFailedError(jobId, reason)
    }
  }

  get discard(): (reason?: string) => Promise<void> {
    const { jobId } = this
    return async (reason) => {
      throw new QueueJobDiscardedError(jobId, reason)
    }
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
