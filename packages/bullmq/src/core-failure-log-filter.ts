import { getSingletonServices } from '@pikku/core/ecosystem'
import type { Logger } from '@pikku/core/services'
import { runningJobs } from './running-jobs.js'

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

/** Core's two lines for a failed attempt, when they come from the runner of a job this package runs. */
function isCoreFailureLine(message: unknown, traceId: string | undefined): boolean {
  if (typeof message !== 'string') return false
  if (traceId !== undefined) return message.startsWith('Error processing job ') || message === 'Processed error response:'
  // A logger without scope(): core writes through the unscoped one, which only the job id and queue in the line tie to a job.
  const ids = /^Error processing job (.+) in queue (.+):$/.exec(message)
  return ids !== null && runningJobs.has(`${ids[2]}:${ids[1]}`)
}

function withoutCoreFailureLines(logger: Logger, traceId?: string): Logger {
  return new Proxy(logger, {
    get(target, property, receiver) {
      if (property === FILTERED) return true
      if (property === 'error') {
        return (message: Parameters<Logger['error']>[0], ...meta: unknown[]) => {
          if (!isCoreFailureLine(message, traceId)) target.error(message, ...meta)
        }
      }
      // Core logs through logger.scope(traceId) when the logger has one; only a job's runner logger is filtered.
      if (property === 'scope' && typeof target.scope === 'function') {
        return (scopeId: string) => (runningJobs.has(scopeId) ? withoutCoreFailureLines(target.scope!(scopeId), scopeId) : target.scope!(scopeId))
      }
      const value = Reflect.get(target, property, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
