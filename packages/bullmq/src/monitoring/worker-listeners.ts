import type { Worker, WorkerListener } from 'bullmq'

/** Handlers for a BullMQ worker's events, by event name. */
export type WorkerListeners = { [E in keyof WorkerListener]?: WorkerListener[E] }

/**
 * Adds the listeners and returns a function that removes them again, so a
 * monitor that is closed leaves the worker as it found it.
 */
export function addWorkerListeners(worker: Worker, listeners: WorkerListeners): () => void {
  const entries = Object.entries(listeners) as Array<[keyof WorkerListener, (...args: any[]) => void]>
  for (const [event, listener] of entries) worker.on(event, listener)
  return () => {
    for (const [event, listener] of entries) worker.off(event, listener)
  }
}
