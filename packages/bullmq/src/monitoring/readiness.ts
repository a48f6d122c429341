import type { Queue, Worker } from 'bullmq'
import type { RedisOptions } from 'ioredis'
import { probeConnectionRefusal } from '../connection/refusal-probe.js'
import type { RedisClient } from '../connection/redis-client-builder.js'
import { addWorkerListeners } from './worker-listeners.js'
import { withTimeout } from '../connection/with-timeout.js'

/** Default for how long waiting jobs may sit with no progress before the worker is not ready. */
export const DEFAULT_STUCK_AFTER_MS = 30_000

/** How long `/readyz` waits for Redis before calling it unreachable. */
const REDIS_TIMEOUT_MS = 2_000

export type Readiness = { ready: true } | { ready: false; reasons: string[] }

export interface ReadinessOptions {
  /** The app's key prefix: the write probe goes to the node that owns it. */
  prefix: string
  /** See {@link DEFAULT_STUCK_AFTER_MS}. */
  stuckAfterMs?: number
  /** Host and port of a single-node Redis, asked why it refuses connections when workers lose theirs. */
  probeNode?: RedisOptions
}

interface WatchedQueue {
  queue: Queue
  worker: Worker | undefined
  inProgress: number
  /** Last time this process's worker started or finished a job of the queue. */
  lastProgressAt: number
}

/**
 * Decides whether this worker process is ready: Redis takes a write where the app's keys live (a
 * replica, a demoted master or a Cluster mid-failover does not), every queue has
 * a running worker whose connections are up, shutdown has not begun, and jobs are moving. "Moving"
 * matters because a worker whose blocking connection is wedged still answers
 * PING (BullMQ #4585): a queue is stuck when a job has been due for longer
 * than `stuckAfterMs` while this process's idle worker started and finished
 * nothing in that time. Paused and rate-limited queues, and queues at their
 * global concurrency, are not stuck.
 */
export class ReadinessTracker {
  private readonly watched = new Map<string, WatchedQueue>()
  private shuttingDown = false
  private readonly detachers: Array<() => void> = []

  private readonly stuckAfterMs: number
  private readonly probeKey: string

  constructor(
    private readonly redis: RedisClient,
    private readonly options: ReadinessOptions,
  ) {
    this.stuckAfterMs = options.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS
    // Under the prefix, so on a Cluster it lands in the slot of the app's queues (the hash tag).
    this.probeKey = `${options.prefix}:readyz-probe`
  }

  /** Watches a queue; `worker` is this process's worker for it (missing means not ready). */
  addQueue(name: string, queue: Queue, worker: Worker | undefined): void {
    const watched: WatchedQueue = { queue, worker, inProgress: 0, lastProgressAt: Date.now() }
    this.watched.set(name, watched)
    if (!worker) return
    const progressed = () => {
      watched.inProgress = Math.max(0, watched.inProgress - 1)
      watched.lastProgressAt = Date.now()
    }
    this.detachers.push(
      addWorkerListeners(worker, {
        active: () => {
          watched.inProgress++
          watched.lastProgressAt = Date.now()
        },
        completed: progressed,
        failed: progressed,
        // close() emits 'closing' first: from then on the process is on its way out.
        closing: () => this.beginShutdown(),
      }),
    )
  }

  /** Removes every listener this added to the workers. */
  detach(): void {
    for (const detach of this.detachers.splice(0)) detach()
  }

  /** Not ready from now on, whatever else holds. */
  beginShutdown(): void {
    this.shuttingDown = true
  }

  async check(now = Date.now()): Promise<Readiness> {
    if (this.shuttingDown) return { ready: false, reasons: ['shutting down'] }
    const reasons: string[] = []
    for (const [name, { worker }] of this.watched) {
      if (!worker) reasons.push(`queue '${name}' has no worker in this process`)
      else if (!worker.isRunning()) reasons.push(`the worker for queue '${name}' is not running`)
    }
    const disconnected = await this.disconnectedWorkers()
    if (disconnected.length > 0) {
      // This connection may still be up while the workers' cannot come back: say why, if Redis says.
      const refusal = this.options.probeNode && (await probeConnectionRefusal(this.options.probeNode))
      for (const { name, status } of disconnected) {
        reasons.push(`the worker for queue '${name}' has no Redis connection (${status})${refusal ? `: Redis refuses new connections: ${refusal}` : ''}`)
      }
    }
    const writeError = await this.probeWrite()
    if (writeError) return { ready: false, reasons: [...reasons, writeError] }
    for (const [name, watched] of this.watched) {
      try {
        const stuck = await withTimeout(this.describeStuck(name, watched, now), REDIS_TIMEOUT_MS, `no reply within ${REDIS_TIMEOUT_MS} ms`)
        if (stuck) reasons.push(stuck)
      } catch (error) {
        reasons.push(`could not read queue '${name}' from Redis: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    return reasons.length > 0 ? { ready: false, reasons } : { ready: true }
  }

  /** Workers whose command or blocking connection is not up: they can neither take nor finish jobs. */
  private async disconnectedWorkers(): Promise<Array<{ name: string; status: string }>> {
    const found: Array<{ name: string; status: string }> = []
    for (const [name, { worker }] of this.watched) {
      if (!worker?.isRunning()) continue
      const backend = worker.getBackend()
      for (const client of [await backend.client, await backend.blockingClient]) {
        const status = (client as { status?: string } | undefined)?.status
        if (status !== undefined && status !== 'ready') {
          found.push({ name, status })
          break
        }
      }
    }
    return found
  }

  /** A PING passes on a replica; jobs move only where writes are taken. */
  private async probeWrite(): Promise<string | undefined> {
    try {
      await withTimeout(this.redis.set(this.probeKey, String(Date.now()), 'PX', 60_000), REDIS_TIMEOUT_MS, `no reply within ${REDIS_TIMEOUT_MS} ms`)
      return undefined
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      if (message.startsWith('READONLY')) return `Redis refuses writes (${message}): REDIS_URL reaches a replica, or a master that a failover demoted`
      // Redis's own error replies start with their code (OOM, CLUSTERDOWN, …); the rest are the client's.
      return /^[A-Z]{2,} /.test(message) ? `Redis refuses writes: ${message}` : `Redis does not answer: ${message}`
    }
  }

  private async describeStuck(name: string, watched: WatchedQueue, now: number): Promise<string | undefined> {
    const { queue, worker, inProgress, lastProgressAt } = watched
    // A busy worker explains a backlog; recent progress means jobs move.
    if (!worker || inProgress > 0 || now - lastProgressAt < this.stuckAfterMs) return undefined
    const oldest = await queue.getJobs(['wait', 'prioritized'], 0, 0, true)
    const dueSince = Math.min(...oldest.map((job) => job.timestamp + (job.opts.delay ?? 0)))
    if (!Number.isFinite(dueSince) || now - dueSince < this.stuckAfterMs) return undefined
    if ((await queue.isPaused()) || (await queue.getRateLimitTtl()) > 0) return undefined
    const globalConcurrency = await queue.getGlobalConcurrency()
    if (globalConcurrency !== null && (await queue.getActiveCount()) >= globalConcurrency) return undefined
    const waiting = await queue.getJobCountByTypes('wait', 'prioritized')
    return `queue '${name}' has ${waiting} waiting job(s), the oldest due ${Math.round((now - dueSince) / 1000)} s ago, and this worker has not started or finished a job for ${Math.round((now - lastProgressAt) / 1000)} s`
  }
}
