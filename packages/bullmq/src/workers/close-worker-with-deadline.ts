import type { Worker } from 'bullmq'

/**
 * Closes a worker gracefully, but never for longer than `timeoutMs`.
 *
 * `worker.close()` stops fetching jobs and waits for the active ones with no
 * time limit. If they are not done by the deadline the worker's connections
 * are force-closed: `worker.close(true)` cannot do that at this point, because
 * `close()` is memoised and would return the pending graceful close.
 *
 * `onDeadline` runs (and is awaited) just before forcing, while the
 * connection still works: the place to hand unfinished jobs back. Resolves
 * to true when it had to force.
 */
export async function closeWorkerWithDeadline(worker: Worker, timeoutMs: number, onDeadline?: () => Promise<void>): Promise<boolean> {
  const graceful = worker.close()
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), timeoutMs)
  })
  try {
    const outcome = await Promise.race([graceful.then(() => 'closed' as const), deadline])
    if (outcome === 'closed') return false
  } finally {
    clearTimeout(timer)
  }
  // The graceful close still settles once the abandoned job returns; nothing waits for it any more.
  graceful.catch(() => undefined)
  await onDeadline?.()
  await worker.getBackend().close(true)
  stopWorkerTimers(worker)
  return true
}

/**
 * The lock extender and the stalled-job checker are stopped by the graceful close only once the
 * running jobs are done. While Redis is down that never happens, and their timers would keep the
 * process alive after close() returned. They are internals of BullMQ 6 (optional here, so a
 * version without them only loses this).
 */
function stopWorkerTimers(worker: Worker): void {
  const internals = worker as unknown as { lockManager?: { close(): Promise<void> }; stalledCheckStopper?: () => void }
  internals.lockManager?.close().catch(() => undefined)
  internals.stalledCheckStopper?.()
}
