import type { Job, JobState, QueueEvents } from 'bullmq'
import type { QueueJob, QueueJobStatus } from '@pikku/core/queue'
import type { BullJobOptions } from './map-job-options.js'
import type { JobTracer } from '../tracing/job-tracer.js'

/** Core does not export this type from any public subpath. */
type QueueJobMetadata = Awaited<ReturnType<NonNullable<QueueJob['metadata']>>>

export interface MapBullJobOptions {
  /**
   * Re-reads the job so `metadata()` describes it now, not when it was
   * fetched. Without it, metadata comes from the job as passed in.
   */
  reload?: () => Promise<Job | undefined>
  /** Enables `waitForCompletion`; called only when a caller waits. */
  queueEvents?: () => Promise<QueueEvents>
  /** Puts a wait in a `wait` span linked to the job's trace. */
  tracer?: JobTracer
}

/**
 * Maps a BullMQ job to a pikku {@link QueueJob}. The queue name is the
 * BullMQ queue the job lives in (`job.queueName`), never the job's name, so
 * jobs added by any BullMQ producer under any name map to their queue's worker.
 */
export function mapBullJob<T = any, R = any>(job: Job<T, R>, options: MapBullJobOptions = {}): QueueJob<T, R> {
  const { reload, queueEvents, tracer } = options
  const id = requireJobId(job)
  return {
    id,
    queueName: job.queueName,
    data: job.data,
    result: job.returnvalue ?? undefined,
    pikkuUserId: (job.opts as BullJobOptions).pikkuUserId,
    status: async () => toQueueJobStatus(await job.getState(), job),
    metadata: async () => {
      const current = (await reload?.()) ?? job
      return toQueueJobMetadata(current, await current.getState())
    },
    waitForCompletion: queueEvents
      ? (ttl?: number) => {
          const waiting = async () => job.waitUntilFinished(await queueEvents(), ttl)
          return tracer ? tracer.wait(job, waiting) : waiting()
        }
      : undefined,
  }
}

/**
 * BullMQ has more states than pikku's union: jobs that are queued but not
 * runnable yet only because of ordering (`prioritized`) or pending children
 * (`waiting-children`) are reported as 'waiting'.
 */
export function toQueueJobStatus(state: JobState | 'unknown', job: Pick<Job, 'id' | 'queueName'>): QueueJobStatus {
  switch (state) {
    case 'completed':
    case 'failed':
    case 'active':
    case 'delayed':
    case 'waiting':
      return state
    case 'prioritized':
    case 'waiting-children':
      return 'waiting'
    case 'unknown':
      // No state fits a job that is gone; guessing one would mislead a poller.
      throw new Error(
        `Job ${job.id} no longer exists in queue '${job.queueName}' (removed, e.g. by removeOnComplete/removeOnFail)`
      )
  }
}

export function toQueueJobMetadata(job: Job, state: JobState | 'unknown'): QueueJobMetadata {
  const finishedAt = job.finishedOn ? new Date(job.finishedOn) : undefined
  return {
    progress: job.progress,
    attemptsMade: job.attemptsMade,
    // BullMQ stores attempts 0 when none were asked for: the job runs once.
    maxAttempts: Math.max(1, job.opts.attempts ?? 1),
    createdAt: new Date(job.timestamp),
    processedAt: job.processedOn ? new Date(job.processedOn) : undefined,
    completedAt: state === 'completed' ? finishedAt : undefined,
    failedAt: state === 'failed' ? finishedAt : undefined,
    error: job.failedReason || undefined,
  }
}

function requireJobId(job: Job): string {
  if (job.id === undefined) {
    throw new Error(`BullMQ job in queue '${job.queueName}' has no id`)
  }
  return job.id
}
