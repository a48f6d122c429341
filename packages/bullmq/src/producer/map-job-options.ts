import type { JobsOptions } from 'bullmq'
import type { JobOptions, PikkuWorkerConfig } from '@pikku/core/queue'

/** BullMQ's highest priority value, which runs last (2^21 - 1). */
export const BULLMQ_MAX_PRIORITY = 2_097_151

/** BullMQ priority that pikku priority 0 maps to: the middle of BullMQ's range. */
const PRIORITY_ORIGIN = 1_048_576

/** Base delay for a backoff given only by name, as in `backoff: 'exponential'`. */
export const DEFAULT_BACKOFF_DELAY_MS = 1000

/**
 * Job options as stored by BullMQ, plus what the worker reads back from them:
 * the signed identity and the attempt timeout.
 */
export type BullJobOptions = JobsOptions & { pikkuUserId?: string; timeout?: number }

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

/** BullMQ's own backoff types; others must be declared with `config.backoffStrategies`. */
const BUILT_IN_BACKOFF_TYPES = ['fixed', 'exponential']

/**
 * Maps pikku {@link JobOptions} to BullMQ job options, over the wiring's
 * `jobDefaults` (the job's own options win; `bullmq` raw options are applied
 * last). Invalid values throw here, when the job is added, because BullMQ
 * would only trip over them when the job fails: an unknown backoff type left
 * the job active until stalled-job detection. `group` is not mapped: job
 * groups are a BullMQ Pro feature.
 *
 * `queueName` only appears in error messages; `wiring` is the queue's wiring
 * config when this process knows it (see `findWiringConfig`).
 */
export function toBullMQJobOptions(options: JobOptions = {}, wiring: PikkuWorkerConfig = {}, queueName = 'the queue'): BullJobOptions {
  rejectUnknownOptions(options, queueName)
  const merged: JobOptions = { ...wiring.jobDefaults }
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value
  }
  const bull: BullJobOptions = {}
  if (merged.attempts !== undefined) bull.attempts = check(merged.attempts, isCount, 'attempts', 'an integer >= 1', queueName)
  if (merged.backoff !== undefined) bull.backoff = toBullMQBackoff(merged.backoff, Object.keys(wiring.backoffStrategies ?? {}), queueName)
  if (merged.delay !== undefined) bull.delay = check(merged.delay, isNonNegative, 'delay', 'a number of milliseconds >= 0', queueName)
  if (merged.jobId !== undefined) bull.jobId = merged.jobId
  if (merged.removeOnComplete !== undefined) bull.removeOnComplete = merged.removeOnComplete
  if (merged.removeOnFail !== undefined) bull.removeOnFail = merged.removeOnFail
  if (merged.priority !== undefined) bull.priority = toBullMQPriority(merged.priority)
  if (merged.timeout !== undefined) bull.timeout = check(merged.timeout, isPositive, 'timeout', 'a number of milliseconds > 0', queueName)
  if (merged.deduplication !== undefined) bull.deduplication = merged.deduplication
  if (merged.lifo !== undefined) bull.lifo = merged.lifo
  // Kept in the job's options, not its data: the signature covers the data, and
  // jobs from plain BullMQ producers must keep their data shape.
  if (merged.pikkuUserId !== undefined) bull.pikkuUserId = merged.pikkuUserId
  return { ...bull, ...merged.bullmq }
}

/** Every job option this runtime reads; anything else would be dropped without a word. */
const KNOWN_OPTIONS = new Set([
  'attempts', 'backoff', 'delay', 'jobId', 'removeOnComplete', 'removeOnFail', 'priority', 'timeout',
  'deduplication', 'lifo', 'pikkuUserId', 'group', 'bullmq',
])

/** What to write instead of names that other Pikku queue adapters and docs use. */
const RENAMED_OPTIONS: Record<string, string> = {
  retryAttempts: 'attempts: <retryAttempts + 1> (attempts counts every try, the first included)',
  retryDelay: "backoff: { type: 'exponential' | 'fixed', delay: <ms> }",
  retryBackoff: "backoff: { type: 'exponential' | 'fixed', delay: <ms> }",
  deadLetterQueue: "a worker 'failed' listener or `pikku-queues failed` (BullMQ keeps failed jobs in the queue's failed set)",
  messageRetention: 'removeOnComplete / removeOnFail (counts of jobs to keep)',
  fifo: 'lifo: false (BullMQ queues are first in, first out by default)',
  repeat: 'addRepeatable(queueName, id, { schedule | every }, data) on the queue service',
}

/** Throws at add time for an option name this runtime does not read, naming what to write instead. */
function rejectUnknownOptions(options: object, queueName: string): void {
  const unknown = Object.keys(options).filter((key) => !KNOWN_OPTIONS.has(key))
  if (unknown.length === 0) return
  const fixes = unknown.map((key) => (RENAMED_OPTIONS[key] ? `'${key}' (write ${RENAMED_OPTIONS[key]})` : `'${key}'`))
  throw new Error(
    `Unknown job option${unknown.length > 1 ? 's' : ''} ${fixes.join(', ')} for queue '${queueName}': ` +
      `pikku-bullmq reads ${[...KNOWN_OPTIONS].join(', ')}; put raw BullMQ job options under bullmq: { … }`,
  )
}

const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 1
const isNonNegative = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0
const isPositive = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0

function check<T>(value: T, valid: (value: unknown) => boolean, name: string, expected: string, queueName: string): T {
  if (!valid(value)) throw new Error(`Invalid job option ${name} for queue '${queueName}': ${JSON.stringify(value)}, expected ${expected}`)
  return value
}

function toBullMQBackoff(backoff: NonNullable<JobOptions['backoff']>, customTypes: string[], queueName: string): JobsOptions['backoff'] {
  const { type, delay } = typeof backoff === 'string' ? { type: backoff, delay: undefined } : backoff
  const known = [...BUILT_IN_BACKOFF_TYPES, ...customTypes]
  if (!known.includes(type)) {
    throw new Error(
      `Unsupported backoff type '${type}' for queue '${queueName}': use ${known.map((name) => `'${name}'`).join(' or ')}, ` +
        `or declare '${type}' under config.backoffStrategies in the queue's wireQueueWorker (and load the wirings in the process that adds the job)`
    )
  }
  if (delay !== undefined) check(delay, isNonNegative, 'backoff.delay', 'a number of milliseconds >= 0', queueName)
  // A built-in type given only by name gets a base delay: BullMQ would otherwise retry at once.
  if (delay === undefined && BUILT_IN_BACKOFF_TYPES.includes(type)) return { type, delay: DEFAULT_BACKOFF_DELAY_MS }
  return delay === undefined ? { type } : { type, delay }
}
