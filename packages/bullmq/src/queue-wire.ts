import { QueueJobDiscardedError, QueueJobFailedError, type PikkuQueue } from '@pikku/core/queue'
import type { RunningJob } from './running-jobs.js'

/**
 * `wire.queue` for one attempt: what core's `runQueueJob` would put there,
 * plus the job's abort signal. The signal is a getter on the class, so it
 * costs nothing until a function reads it; the methods are per-instance
 * arrow functions, so destructuring them works as it does with core's.
 */
export class QueueWire implements PikkuQueue {
  readonly queueName: string
  readonly jobId: string
  /** Jobs that claim a user are run by core's `runQueueJob`, which verifies the claim. */
  readonly pikkuUserId: string | undefined = undefined

  constructor(private readonly running: RunningJob) {
    this.queueName = running.job.queueName
    this.jobId = running.job.id!
  }

  get signal(): AbortSignal {
    return this.running.signal
  }

  readonly updateProgress = async (progress: number | string | object): Promise<void> => {
    await this.running.job.updateProgress(progress)
  }

  readonly fail = async (reason?: string): Promise<void> => {
    throw new QueueJobFailedError(this.jobId, reason)
  }

  readonly discard = async (reason?: string): Promise<void> => {
    throw new QueueJobDiscardedError(this.jobId, reason)
  }
}
