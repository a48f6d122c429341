import { pikkuState } from '@pikku/core/ecosystem'
import type { CoreQueueWorker, PikkuWorkerConfig } from '@pikku/core/queue'

/**
 * The config of a queue's wiring as this process knows it: from the live
 * registration (`wireQueueWorker` ran here, as in the worker server or any
 * process that imports the bootstrap), else from the queue meta if it
 * carries one. Undefined when neither is loaded, e.g. in a process that only
 * imports the typed producer.
 */
export function findWiringConfig(queueName: string): PikkuWorkerConfig | undefined {
  const registrations = pikkuState(null, 'queue', 'registrations') as Map<string, CoreQueueWorker> | undefined
  const registered = registrations?.get(queueName)
  if (registered) return registered.config
  const meta = pikkuState(null, 'queue', 'meta') as Record<string, { config?: PikkuWorkerConfig }> | undefined
  return meta?.[queueName]?.config
}
