import type { KeepJobs, WorkerOptions } from 'bullmq'
import type { PikkuWorkerConfig, QueueConfigMapping } from '@pikku/core/queue'

/** Completed jobs kept per queue unless the wiring or the job says otherwise: the last 1000, none older than a day. */
export const DEFAULT_REMOVE_ON_COMPLETE = { count: 1000, age: 24 * 3600 } as const satisfies KeepJobs
/** Failed jobs kept per queue unless the wiring or the job says otherwise: the last 10 000, none older than 7 days. */
export const DEFAULT_REMOVE_ON_FAIL = { count: 10_000, age: 7 * 24 * 3600 } as const satisfies KeepJobs

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
      description: 'Milliseconds a job stays locked before it counts as stalled unless renewed (default 30000)',
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
 * {@link bullWorkerConfigMappings}. Values are checked here because BullMQ
 * rejects bad ones only after its Worker has opened connections, which would
 * then leak.
 */
export function toWorkerOptions(config: PikkuWorkerConfig = {}): Partial<WorkerOptions> {
  // BullMQ keeps every finished job forever unless told otherwise; a job's own removeOn* still wins.
  const options: Record<string, unknown> = {
    removeOnComplete: { ...DEFAULT_REMOVE_ON_COMPLETE },
    removeOnFail: { ...DEFAULT_REMOVE_ON_FAIL },
  }
  for (const [key, value] of Object.entries(config)) {
    const mapping = bullWorkerConfigMappings.supported[key as keyof PikkuWorkerConfig]
    if (value === undefined || !mapping?.queueProperty) continue
    assertValid(key as keyof PikkuWorkerConfig, value)
    options[mapping.queueProperty] = mapping.transform ? mapping.transform(value) : value
  }
  return options as Partial<WorkerOptions>
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
}

function assertValid(key: keyof PikkuWorkerConfig, value: unknown): void {
  const validator = VALIDATORS[key]
  if (validator && !validator[0](value)) {
    throw new Error(`Invalid worker config ${key}: ${JSON.stringify(value)}, expected ${validator[1]}`)
  }
}
