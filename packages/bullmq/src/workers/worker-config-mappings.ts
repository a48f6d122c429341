import type { KeepJobs, WorkerOptions } from 'bullmq'
import type { PikkuWorkerConfig, QueueConfigMapping } from '@pikku/core/queue'

/** Completed jobs kept per queue unless the wiring or the job says otherwise: the last 1000, none older than a day. */
export const DEFAULT_REMOVE_ON_COMPLETE = { count: 1000, age: 24 * 3600 } as const satisfies KeepJobs
/** Failed jobs kept per queue unless the wiring or the job says otherwise: the last 10 000, none older than 7 days. */
export const DEFAULT_REMOVE_ON_FAIL = { count: 10_000, age: 7 * 24 * 3600 } as const satisfies KeepJobs
/**
 * How long a job's lock lasts unless its worker renews it (every half of it), and how often workers
 * look for jobs whose lock expired. Together they bound how soon the active jobs of a crashed
 * (kill -9) worker run again: within about 35 s, against about 60 s with BullMQ's 30 s defaults.
 */
export const DEFAULT_LOCK_DURATION_MS = 20_000
export const DEFAULT_STALLED_INTERVAL_MS = 15_000

/**
 * How a wiring's `config` becomes BullMQ `WorkerOptions`. Core validates each
 * wiring against this (warning about unsupported keys), and
 * {@link toWorkerOptions} applies the supported ones.
 */
export const bullWorkerConfigMappings: QueueConfigMapping = {
  supported: {
    batchSize: {
      queueProperty: 'concurrency',
      description: 'Jobs this worker processes at the same time (BullMQ concurrency, default 1)',
    },
    lockDuration: {
      queueProperty: 'lockDuration',
      description: 'Milliseconds a job stays locked before it counts as stalled unless renewed (default 20000)',
    },
    drainDelay: {
      queueProperty: 'drainDelay',
      description: 'Seconds to long-poll an empty queue (BullMQ drainDelay is in seconds too, default 5)',
    },
    removeOnComplete: {
      queueProperty: 'removeOnComplete',
      transform: (count: number) => ({ count, age: DEFAULT_REMOVE_ON_COMPLETE.age }),
      description: 'Number of completed jobs to keep (default 1000); older ones, and any older than a day, are removed',
    },
    removeOnFail: {
      queueProperty: 'removeOnFail',
      transform: (count: number) => ({ count, age: DEFAULT_REMOVE_ON_FAIL.age }),
      description: 'Number of failed jobs to keep (default 10000); older ones, and any older than 7 days, are removed',
    },
    maxStalledCount: {
      queueProperty: 'maxStalledCount',
      description: 'Times a job may stall (its worker died or blocked) before it fails (default 1)',
    },
    autorun: {
      queueProperty: 'autorun',
      description: 'Start processing as soon as the worker is created (default true)',
    },
    timeout: {
      description: 'Milliseconds an attempt may run before it fails with a timeout and its signal aborts (default none)',
    },
    limiter: {
      queueProperty: 'limiter',
      description: 'At most max jobs per duration ms across all workers of the queue (BullMQ limiter)',
    },
    jobDefaults: {
      description: 'attempts, backoff, priority, removeOnComplete, removeOnFail for every job added to the queue',
    },
    backoffStrategies: {
      description: 'Named custom retry delays that jobs may use as backoff.type',
    },
    bullmq: {
      description: 'Raw BullMQ WorkerOptions, applied last',
    },
  },
  unsupported: {
    prefetch: {
      reason: 'BullMQ does not prefetch jobs',
      explanation: 'A worker fetches a job only when a concurrency slot is free; use batchSize for concurrency',
    },
    pollInterval: {
      reason: 'BullMQ does not poll',
      explanation: 'Workers block on Redis until a job arrives; drainDelay sets how long each blocking call lasts',
    },
    visibilityTimeout: {
      reason: 'BullMQ uses job locks, not visibility timeouts',
      explanation: 'Use lockDuration (milliseconds) to control when an unfinished job is handed to another worker',
    },
    groupConcurrency: {
      reason: 'Job groups are a BullMQ Pro feature',
      explanation: 'Open-source BullMQ has no per-group limits; use a separate queue or a global concurrency instead',
    },
  },
  fallbacks: {},
}

/**
 * Applies the supported keys of a wiring's config, as described by
 * {@link bullWorkerConfigMappings}, then the raw `bullmq` options. Keys without
 * a BullMQ property (`timeout`, `jobDefaults`, `backoffStrategies`) are only
 * checked here and used elsewhere. Values are checked here because BullMQ
 * rejects bad ones only after its Worker has opened connections, which would
 * then leak.
 */
export function toWorkerOptions(config: PikkuWorkerConfig = {}): Partial<WorkerOptions> {
  // BullMQ keeps every finished job forever unless told otherwise; a job's own removeOn* still wins.
  const options: Record<string, unknown> = {
    removeOnComplete: { ...DEFAULT_REMOVE_ON_COMPLETE },
    removeOnFail: { ...DEFAULT_REMOVE_ON_FAIL },
    lockDuration: DEFAULT_LOCK_DURATION_MS,
    stalledInterval: DEFAULT_STALLED_INTERVAL_MS,
  }
  for (const [key, value] of Object.entries(config)) {
    const mapping = bullWorkerConfigMappings.supported[key as keyof PikkuWorkerConfig]
    if (value === undefined || !mapping) continue
    assertValid(key as keyof PikkuWorkerConfig, value)
    if (mapping.queueProperty) options[mapping.queueProperty] = mapping.transform ? mapping.transform(value) : value
  }
  return { ...options, ...config.bullmq } as Partial<WorkerOptions>
}

const isInteger = (value: unknown): value is number => Number.isInteger(value)
const isPositive = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0

const VALIDATORS: Partial<Record<keyof PikkuWorkerConfig, [check: (value: unknown) => boolean, expected: string]>> = {
  batchSize: [(value) => isInteger(value) && value >= 1, 'an integer >= 1'],
  lockDuration: [isPositive, 'a number of milliseconds > 0'],
  drainDelay: [isPositive, 'a number of seconds > 0'],
  removeOnComplete: [(value) => isInteger(value) && value >= 0, 'an integer >= 0'],
  removeOnFail: [(value) => isInteger(value) && value >= 0, 'an integer >= 0'],
  maxStalledCount: [(value) => isInteger(value) && value >= 0, 'an integer >= 0'],
  autorun: [(value) => typeof value === 'boolean', 'true or false'],
  timeout: [isPositive, 'a number of milliseconds > 0'],
  limiter: [
    (value) => typeof value === 'object' && value !== null && isCountOf(value, 'max') && isPositive((value as { duration?: unknown }).duration),
    '{ max: an integer >= 1, duration: milliseconds > 0 }',
  ],
  jobDefaults: [(value) => typeof value === 'object' && value !== null, 'an object of job options'],
  backoffStrategies: [
    (value) => typeof value === 'object' && value !== null && Object.values(value).every((strategy) => typeof strategy === 'function'),
    'an object of functions, { name: ({ attemptsMade, delay, error, job }) => milliseconds }',
  ],
  bullmq: [(value) => typeof value === 'object' && value !== null, 'an object of BullMQ WorkerOptions'],
}

function isCountOf(value: object, key: string): boolean {
  const count = (value as Record<string, unknown>)[key]
  return isInteger(count) && count >= 1
}

function assertValid(key: keyof PikkuWorkerConfig, value: unknown): void {
  const validator = VALIDATORS[key]
  if (validator && !validator[0](value)) {
    throw new Error(`Invalid worker config ${key}: ${JSON.stringify(value)}, expected ${validator[1]}`)
  }
}
