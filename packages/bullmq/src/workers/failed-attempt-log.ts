import type { Job } from 'bullmq'
import type { Logger } from '@pikku/core/services'
import { logExcerpt } from '../logging/log-excerpt.js'

/**
 * The one log line of a failed attempt, for a worker's 'failed' event: WARN when BullMQ will retry
 * it, ERROR (with the error) when the job has failed for good. `subject` names the job, e.g.
 * "Job 7 in queue 'emails'".
 */
export function logFailedAttempt(logger: Logger, subject: string, job: Job, error: Error): void {
  const maxAttempts = Math.max(1, job.opts.attempts ?? 1)
  const attempt = `${subject} failed (attempt ${job.attemptsMade}/${maxAttempts})`
  // BullMQ sets finishedOn only when the job ends failed, not when it schedules a retry.
  if (job.finishedOn === undefined) {
    logger.warn(`${attempt}, will retry: ${logExcerpt(error.message)}`)
  } else if (error.name === 'UnrecoverableError' || job.attemptsMade < maxAttempts) {
    logger.error(`${attempt}, not retried: ${logExcerpt(error.message)}`, error)
  } else {
    logger.error(`${attempt}, no attempts left: ${logExcerpt(error.message)}`, error)
  }
}
