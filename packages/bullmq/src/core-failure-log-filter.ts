import { getSingletonServices } from '@pikku/core/ecosystem'
import type { Logger } from '@pikku/core/services'
import { jobContext } from './job-context.js'

const FILTERED = Symbol.for('pikku-bullmq.core-failure-log-filter')

/**
 * `runQueueJob` logs every failed attempt at ERROR ("Error processing job …",
 * plus "Processed error response" for known errors) before rethrowing, and
 * BullQueueWorkers then logs the attempt with its number and outcome. Core
 * gives no way to turn its lines off, so the singleton logger is wrapped
 * once: inside a job run by this package those two lines are dropped, and
 * everything else goes through unchanged (same object, same prototype).
 */
export function filterCoreFailureLogs(): void {
  let services: { logger?: Logger }
  try {
    services = getSingletonServices()
  } catch {
    // Not set yet: runQueueJob fails the job with core's own message.
    return
  }
  if (!services.logger || (services.logger as unknown as Record<symbol, unknown>)[FILTERED]) return
  services.logger = withoutCoreFailureLines(services.logger)
}

function isCoreFailureLine(message: unknown): boolean {
  return (
    jobContext.getStore() !== undefined &&
    typeof message === 'string' &&
    (message.startsWith('Error processing job ') || message === 'Processed error response:')
  )
}

function withoutCoreFailureLines(logger: Logger): Logger {
  return new Proxy(logger, {
    get(target, property, receiver) {
      if (property === FILTERED) return true
      if (property === 'error') {
        return (message: Parameters<Logger['error']>[0], ...meta: unknown[]) => {
          if (!isCoreFailureLine(message)) target.error(message, ...meta)
        }
      }
      // Core logs through logger.scope(traceId) when the logger has one.
      if (property === 'scope' && typeof target.scope === 'function') {
        return (traceId: string) => withoutCoreFailureLines(target.scope!(traceId))
      }
      const value = Reflect.get(target, property, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
