import type { JobsOptions } from 'bullmq'
import type { JobOptions } from '@pikku/core/queue'

/** BullMQ's highest priority value, which runs last (2^21 - 1). */
export const BULLMQ_MAX_PRIORITY = 2_097_151

/** BullMQ priority that pikku priority 0 maps to: the middle of BullMQ's range. */
const PRIORITY_ORIGIN = 1_048_576

/** Base delay for a backoff given only by name, as in `backoff: 'exponential'`. */
export const DEFAULT_BACKOFF_DELAY_MS = 1000

/** Job options as stored by BullMQ, plus the signed identity carried to the worker. */
export type BullJobOptions = JobsOptions & { pikkuUserId?: string }

/**
 * Converts a pikku priority (higher runs first, may be negative) to BullMQ's
 * (1..2_097_151, lower runs first): `1_048_576 - priority`, clamped.
 * Pikku 0 → 1_048_576, pikku 10 → 1_048_566, pikku -10 → 1_048_586, so
 * pikku priorities between -1_048_575 and 1_048_575 keep their order; values
 * outside that range saturate.
 *
 * A job added without a priority is not prioritized at all, and BullMQ runs
 * such jobs before every prioritized job in the queue.
 */
export function toBullMQPriority(priority: number): number {
  if (!Number.isFinite(priority)) {
    throw new Error(`Invalid job priority ${priority}: expected a finite number (higher runs first)`)
  }
  return Math.min(BULLMQ_MAX_PRIORITY, Math.max(1, PRIORITY_ORIGIN - Math.round(priority)))
}

/**
 * Maps pikku {@link JobOptions} to BullMQ job options. `group` is not
 * mapped: job groups are a BullMQ Pro feature.
 */
export function toBullMQJobOptions(options: JobOptions = {}): BullJobOptions {
  const bull: BullJobOptions = {}
  if (options.attempts !== undefined) bull.attempts = options.attempts
  if (options.backoff !== undefined) bull.backoff = toBullMQBackoff(options.backoff)
  if (options.delay !== undefined) bull.delay = options.delay
  if (options.jobId !== undefined) bull.jobId = options.jobId
  if (options.removeOnComplete !== undefined) bull.removeOnComplete = options.removeOnComplete
  if (options.removeOnFail !== undefined) bull.removeOnFail = options.removeOnFail
  if (options.priority !== undefined) bull.priority = toBullMQPriority(options.priority)
  // Kept in the job's options, not its data: the signature covers the data, and
  // jobs from plain BullMQ producers must keep their data shape.
  if (options.pikkuUserId !== undefined) bull.pikkuUserId = options.pikkuUserId
  return bull
}

function toBullMQBackoff(backoff: NonNullable<JobOptions['backoff']>): JobsOptions['backoff'] {
  if (typeof backoff !== 'string') return backoff
  if (backoff === 'exponential' || backoff === 'fixed') {
    return { type: backoff, delay: DEFAULT_BACKOFF_DELAY_MS }
  }
  // Anything else would only fail later, inside BullMQ, when the first retry is scheduled.
  throw new Error(`Unsupported backoff '${backoff}': BullMQ supports 'fixed' and 'exponential' (or { type, delay })`)
}
