import type { WorkerOptions } from 'bullmq'
import type { Logger } from '@pikku/core/services'
import type { BackoffStrategy } from '../pikku-core-augmentation.js'

type BullBackoffStrategy = NonNullable<NonNullable<WorkerOptions['settings']>['backoffStrategy']>

/**
 * The worker's BullMQ `backoffStrategy`: BullMQ calls it for any backoff type
 * other than 'fixed' and 'exponential', and it runs the strategy the wiring
 * declared under that name. A type nobody declared (say, from a producer
 * outside pikku) stops the retries with an error log: without a strategy
 * BullMQ throws and leaves the job active until stalled-job detection.
 */
export function toBackoffStrategy(queueName: string, strategies: Record<string, BackoffStrategy>, logger: Logger): BullBackoffStrategy {
  return (attemptsMade, type, error, job) => {
    const strategy = type === undefined ? undefined : strategies[type]
    if (!strategy || !job) {
      const declared = Object.keys(strategies)
      logger.error(
        `Job ${job?.id} in queue '${queueName}' has backoff type '${type}', which its wiring does not declare ` +
          `(${declared.length > 0 ? `declared: ${declared.join(', ')}` : 'config.backoffStrategies is empty'}); it is not retried`
      )
      return -1
    }
    const backoff = job.opts.backoff
    return strategy({ attemptsMade, delay: typeof backoff === 'object' ? backoff.delay : undefined, error: error ?? new Error('unknown'), job })
  }
}
