import { isDeepStrictEqual } from 'node:util'
import { context, ROOT_CONTEXT } from '@opentelemetry/api'
import { DelayedError, Queue, UnrecoverableError, Worker, type BackoffOptions, type Job, type JobSchedulerJson, type Telemetry } from 'bullmq'
import { SchedulerService } from '@pikku/core'
import { getScheduledTasks, runScheduledTask } from '@pikku/core/scheduler'
import { pikkuState } from '@pikku/core/ecosystem'
import type { Logger } from '@pikku/core/services'
import { closeRedisClient, connectRedisClient, type RedisClient, type RedisClientBuilder } from '../connection/redis-client-builder.js'
import { RedisLock } from '../connection/redis-lock.js'
import { DEFAULT_CLOSE_TIMEOUT_MS } from '../workers/bull-queue-workers.js'
import { closeWorkerWithDeadline } from '../workers/close-worker-with-deadline.js'
import { logFailedAttempt } from '../workers/failed-attempt-log.js'
import { logExcerpt } from '../logging/log-excerpt.js'
import { RateLimitedLines } from '../logging/rate-limited-lines.js'
import { toBullMQError } from '../workers/non-retryable-error.js'
import { describeSchedule, toScheduleSpec, type ScheduleDeclaration, type ScheduleSpec } from './schedule-spec.js'
import { SCHEDULE_SPAN, type JobTracer } from '../tracing/job-tracer.js'
import {
  canRunRpc,
  delayInMs,
  isScheduledRpcJob,
  runScheduledRpc,
  SCHEDULED_RPC_OPTIONS,
  scheduledRpcDeduplicationId,
  scheduledRpcJobName,
  type ScheduledRpcData,
} from './scheduled-rpc.js'

/** The queue that holds the ticks of every scheduled task of an app. */
export const DEFAULT_SCHEDULES_QUEUE = 'pikku-schedules'

const queueErrors = new RateLimitedLines(60_000)

export interface BullSchedulerServiceOptions {
  /** Builds the queue's, the worker's and the reconcile lock's connections. */
  clients: RedisClientBuilder
  /** BullMQ key prefix shared with the queues. */
  prefix: string
  logger: Logger
  /** Queue holding the ticks. Default: 'pikku-schedules'. */
  queueName?: string
  /** BullMQ's spans for the ticks' queue and worker; see the factory's `telemetry`. */
  telemetry?: Telemetry
  /** Pikku's spans on each tick and schedule change; set when `telemetry` is. */
  tracer?: JobTracer
  /** Ticks one process runs at the same time. Default: 1, so a slow task delays the next tick rather than overlapping. */
  concurrency?: number
}

/** What a `wireScheduler` wiring may declare beyond core's fields: when it runs, and its retry policy. */
export interface SchedulerWiring extends ScheduleDeclaration {
  /** Tries per tick, first included. Default: 1. */
  attempts?: number
  /** Wait between tries; BullMQ's fixed or exponential backoff. */
  backoff?: BackoffOptions
}

/** A schedule as stored in Redis. */
export interface ScheduleInfo {
  name: string
  schedule: string
  /** When the next tick is due, if one is. */
  next: Date | undefined
}

/** Ticks and scheduled calls kept for inspection: enough to see recent runs, never a growing Redis. */
const RETENTION = { removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } }
/**
 * Every tick's options: each starts a trace of its own (linked to its schedule's) rather than all
 * joining the one that created the schedule.
 */
const TICK_OPTIONS = { ...RETENTION, telemetry: { omitContext: true } }
/** How long start() waits for Redis before it fails (the factory's init() has already waited for it). */
const CONNECT_TIMEOUT_MS = 10_000
/**
 * The reconcile lock's TTL, renewed while held: a replica killed mid-reconcile delays the next
 * start by at most this.
 */
const LOCK_TTL_MS = 5_000
/**
 * A tick of a task this process does not wire (a replica on older code, mid rolling deploy) is
 * handed back every few seconds for a replica that has it, for this long before it fails.
 */
const FOREIGN_TICK_RETRY_MS = 2_000
const FOREIGN_TICK_GRACE_MS = 5 * 60_000

/**
 * Runs `wireScheduler` tasks on BullMQ job schedulers: one scheduler per task in one queue, one
 * job per tick whatever the number of replicas, each run through core's `runScheduledTask`
 * (middleware, permissions, logging) with the task's retries.
 *
 * `start()` reconciles Redis with the code under a lock, so replicas starting together do it once:
 * new or changed schedules are upserted, schedules no longer wired are removed, unchanged ones are
 * left alone. Nothing is removed on `stop()` or `close()`: a rolling deploy keeps every schedule.
 * A tick that falls while no worker runs is run once when one starts (BullMQ keeps at most one
 * pending job per scheduler), not once per missed tick.
 */
export class BullSchedulerService extends SchedulerService {
  readonly queueName: string
  private readonly queue: Queue
  /** The queue's connection (commands fail fast); BullMQ leaves it open, so close() closes it. */
  private readonly queueClient: RedisClient
  private worker: Worker | undefined
  private workerClient: RedisClient | undefined

  constructor(private readonly options: BullSchedulerServiceOptions) {
    super()
    this.queueName = options.queueName ?? DEFAULT_SCHEDULES_QUEUE
    this.queueClient = options.clients.create('producer')
    this.queue = new Queue(this.queueName, { connection: this.queueClient, prefix: options.prefix, telemetry: options.telemetry })
    // Without a listener BullMQ prints each connection error raw to stderr, about once a second of an
    // outage, breaking the JSON logs; the workers' own reconnection lines already say Redis is down.
    this.queue.on('error', (error) => {
      const line = queueErrors.pass(this.queueName, `Schedules queue '${this.queueName}': ${error.message}`)
      if (line) options.logger.warn(line)
    })
  }

  async init(): Promise<void> {
    await this.queue.waitUntilReady()
  }

  /** Reconciles the schedules with the wirings, starts running ticks, and logs each schedule with its next run. */
  override async start(): Promise<void> {
    if (this.worker) return
    if (pikkuState(null, 'queue', 'registrations').has(this.queueName)) {
      // Both workers would take each other's jobs: ticks run as queue jobs and the other way round.
      throw new Error(`Queue '${this.queueName}' is wired with wireQueueWorker, but the scheduler runs its ticks on that queue: rename the queue (or give the scheduler another queueName)`)
    }
    const wired = this.readWirings()
    await this.reconcile(wired)
    const { logger } = this.options
    const workerClient = this.options.clients.create('blocking')
    this.workerClient = workerClient
    // In the root context, so that ticks, which carry no trace, each start one (see TICK_OPTIONS).
    this.worker = context.with(ROOT_CONTEXT, () => new Worker(this.queueName, (job: Job, token?: string) => this.runTick(job, token), {
      connection: workerClient,
      prefix: this.options.prefix,
      telemetry: this.options.telemetry,
      concurrency: this.options.concurrency ?? 1,
      name: `pikku-schedules@${process.pid}`,
    }))
    this.worker.on('error', (error) => logger.error(`Schedules worker error:`, error))
    this.worker.on('failed', (job, error) => {
      if (!job) return
      const what = isScheduledRpcJob(job) ? `Scheduled call of rpc '${(job.data as ScheduledRpcData).rpcName}'` : `Schedule '${job.name}' tick`
      logFailedAttempt(logger, `${what} ${tickTime(job).toISOString()}`, job, error)
    })
    await this.worker.waitUntilReady()
    for (const schedule of await this.listSchedules()) {
      logger.info(`Schedule '${schedule.name}' (${schedule.schedule}): next run ${schedule.next?.toISOString() ?? 'none'}`)
    }
  }

  /** Stops running ticks (waiting up to 30 s for a running one); the schedules stay in Redis. */
  override async stop(): Promise<void> {
    await this.stopWithin(DEFAULT_CLOSE_TIMEOUT_MS)
  }

  override async close(): Promise<void> {
    await this.closeWithin(DEFAULT_CLOSE_TIMEOUT_MS)
  }

  /**
   * Stops running ticks, waiting up to `timeoutMs` for a running one, then closes the queue. The
   * schedules stay in Redis for the other replicas and the next start. `forced` tells whether a
   * running tick had to be abandoned (it is retried once its lock expires).
   */
  async closeWithin(timeoutMs: number): Promise<{ forced: boolean }> {
    const forced = await this.stopWithin(timeoutMs)
    // During an outage close() cannot send QUIT and may reject; the connection is dropped below anyway.
    await this.queue.close().catch(() => undefined)
    await closeRedisClient(this.queueClient)
    return { forced }
  }

  private async stopWithin(timeoutMs: number): Promise<boolean> {
    const worker = this.worker
    const client = this.workerClient
    this.worker = undefined
    this.workerClient = undefined
    if (!worker || !client) return false
    const forced = await closeWorkerWithDeadline(worker, timeoutMs, async () =>
      this.options.logger.warn(`Schedules: the running tick did not finish within ${timeoutMs} ms; it is retried once its lock expires`),
    )
    await closeRedisClient(client)
    return forced
  }

  /** The worker running ticks in this process, once `start()` has run. */
  getWorker(): Worker | undefined {
    return this.worker
  }

  /** Every schedule stored in Redis for this app, with its next run. */
  async listSchedules(): Promise<ScheduleInfo[]> {
    const schedulers = await this.queue.getJobSchedulers(0, -1, true)
    return schedulers.map((scheduler) => ({
      name: scheduler.key,
      schedule: describeSchedule(scheduler),
      next: scheduler.next === undefined ? undefined : new Date(scheduler.next),
    }))
  }

  /**
   * Calls `rpcName` with `data` once, after `delay` (milliseconds, or a duration such as '5m'), in
   * whichever replica takes it: a delayed job in the schedules queue, kept in Redis across restarts,
   * tried up to 5 times with exponential backoff. Resolves to its task id (for `getTask` and
   * `unschedule`). The same call scheduled again while one is pending is that one (core's workflow
   * sleeps rely on this). A session is refused: the call would run as that user later, unchecked;
   * pass the user's id in `data` and let the function look the user up.
   */
  async scheduleRPC(delay: number | string, rpcName: string, data?: unknown, session?: unknown): Promise<string> {
    if (session !== undefined) {
      throw new Error(`scheduleRPC('${rpcName}'): a session cannot be scheduled (it would be used later without being checked again); pass the user id in data instead`)
    }
    if (!canRunRpc(rpcName)) {
      // Likely a typo: it would wait in Redis and fail 5 minutes after it is due.
      this.options.logger.warn(`scheduleRPC('${rpcName}'): this process has no function of that name; the call runs only in a worker that has one`)
    }
    // Unlike a tick, a call joins the trace of whatever scheduled it.
    const job = await this.queue.add(scheduledRpcJobName(rpcName), { rpcName, data } satisfies ScheduledRpcData, {
      ...RETENTION,
      ...SCHEDULED_RPC_OPTIONS,
      delay: delayInMs(delay),
      deduplication: { id: scheduledRpcDeduplicationId(rpcName, data) },
    })
    return job.id!
  }

  /** Stops a schedule (by name) or a scheduled call that has not run yet (by task id); true if there was one. */
  async unschedule(taskId: string): Promise<boolean> {
    if (await this.queue.removeJobScheduler(taskId)) return true
    const job = await this.queue.getJob(taskId)
    if (!job || !isScheduledRpcJob(job) || !(await job.isDelayed() || await job.isWaiting())) return false
    await job.remove()
    return true
  }

  async getTask(taskId: string) {
    const scheduler = await this.queue.getJobScheduler(taskId)
    if (scheduler) return { taskId, rpcName: scheduler.key, scheduledFor: new Date(scheduler.next ?? Date.now()), status: 'scheduled' as const }
    const job = await this.queue.getJob(taskId)
    if (!job || !isScheduledRpcJob(job)) return null
    const { rpcName, data } = job.data as ScheduledRpcData
    return { taskId, rpcName, data, scheduledFor: new Date(job.timestamp + (job.opts.delay ?? 0)), status: toTaskStatus(await job.getState()) }
  }

  /** The schedules and the scheduled calls still to run. */
  async getAllTasks() {
    const schedules = await this.listSchedules()
    const pending = (await this.queue.getJobs(['delayed', 'waiting', 'prioritized'])).filter((job) => job && isScheduledRpcJob(job))
    return [
      ...schedules.map(({ name, next }) => ({ taskId: name, rpcName: name, scheduledFor: next ?? new Date() })),
      ...pending.map((job) => ({ taskId: job.id!, rpcName: (job.data as ScheduledRpcData).rpcName, scheduledFor: new Date(job.timestamp + (job.opts.delay ?? 0)) })),
    ]
  }

  private readWirings(): Map<string, { spec: ScheduleSpec; wiring: SchedulerWiring }> {
    const wired = new Map<string, { spec: ScheduleSpec; wiring: SchedulerWiring }>()
    // The live registrations keep every field of the wiring, including `every`, `tz` and retries.
    for (const [name, task] of getScheduledTasks()) {
      const wiring = task as unknown as SchedulerWiring
      wired.set(name, { spec: toScheduleSpec(wiring), wiring })
    }
    return wired
  }

  private async reconcile(wired: Map<string, { spec: ScheduleSpec; wiring: SchedulerWiring }>): Promise<void> {
    // Producer connections queue nothing while disconnected, so connect before the first command.
    const client = this.options.clients.create('producer')
    // A failure is thrown to start(); without a listener ioredis would also print each attempt.
    client.on('error', () => undefined)
    try {
      await connectRedisClient(client, CONNECT_TIMEOUT_MS)
      const lock = new RedisLock({ ready: async () => client }, this.options.logger, { purpose: 'schedules reconcile lock', ttlMs: LOCK_TTL_MS })
      // Replicas starting together queue up here; each finds the work done by the first.
      await lock.withLock(`${this.options.prefix}:${this.queueName}:reconcile-lock`, async () => {
        const existing = new Map((await this.queue.getJobSchedulers(0, -1, true)).map((scheduler) => [scheduler.key, scheduler]))
        for (const [name, { spec, wiring }] of wired) {
          const opts = { ...TICK_OPTIONS, attempts: wiring.attempts ?? 1, ...(wiring.backoff ? { backoff: wiring.backoff } : {}) }
          if (isUnchanged(existing.get(name), spec, opts)) continue
          const upsert = (traceFields: Record<string, unknown>) => this.queue.upsertJobScheduler(name, spec, { name, data: {}, opts: { ...opts, ...traceFields } })
          const { tracer } = this.options
          await (tracer ? tracer.schedule(name, { 'pikku.schedule.name': name, 'pikku.schedule': describeSchedule(spec) }, upsert) : upsert({}))
          this.options.logger.info(`Schedule '${name}' ${existing.has(name) ? 'updated' : 'created'}: ${describeSchedule(spec)}`)
        }
        for (const name of existing.keys()) {
          if (wired.has(name)) continue
          await this.queue.removeJobScheduler(name)
          this.options.logger.info(`Schedule '${name}' removed: it is no longer wired`)
        }
      })
    } finally {
      await closeRedisClient(client)
    }
  }

  private async runTick(job: Job, token: string | undefined): Promise<unknown> {
    if (isScheduledRpcJob(job)) return this.runCall(job, token)
    if (!getScheduledTasks().has(job.name)) return this.handBackForeignTick(job, token)
    const { tracer } = this.options
    const funcId = pikkuState(null, 'scheduler', 'meta')[job.name]?.pikkuFuncId ?? job.name
    const span = tracer?.startAttempt(job, { 'pikku.function.id': funcId, 'pikku.schedule.name': job.name })
    const started = performance.now()
    try {
      const run = () => runScheduledTask({ name: job.name, traceId: `schedule:${job.name}:${job.id}` })
      await (tracer ? tracer.run(funcId, { 'pikku.wire.type': 'scheduler', 'pikku.wire.id': job.name }, run, (error) => !isSkipped(error)) : run())
    } catch (error) {
      // core's skip(): the task decided not to run this tick; that is not a failure.
      if (isSkipped(error)) {
        this.options.logger.info(`Schedule '${job.name}' tick ${tickTime(job).toISOString()} skipped: ${logExcerpt(error.message)}`)
        tracer?.endAttempt(span, 'skipped')
        return { skipped: error.message }
      }
      const failure = toBullMQError(error)
      tracer?.endFailedAttempt(span, job, failure)
      throw failure
    }
    tracer?.endAttempt(span, 'completed')
    this.options.logger.info(`Schedule '${job.name}' tick ${tickTime(job).toISOString()} done in ${Math.round(performance.now() - started)} ms`)
    return undefined
  }

  /** A scheduled call; one this process cannot run goes back for a replica that can, as foreign ticks do. */
  private async runCall(job: Job, token: string | undefined): Promise<unknown> {
    const { rpcName } = job.data as ScheduledRpcData
    if (!canRunRpc(rpcName)) return this.handBackForeignTick(job, token, `rpc '${rpcName}'`)
    try {
      return await runScheduledRpc(job as Job<ScheduledRpcData>)
    } catch (error) {
      throw toBullMQError(error)
    }
  }

  /**
   * During a rolling deploy a replica still on older code can take the tick of a task only the
   * new code wires: it goes back to the queue for a replica that has the task instead of failing,
   * until it is FOREIGN_TICK_GRACE_MS late (no replica has the task: it fails, saying so).
   */
  private async handBackForeignTick(job: Job, token: string | undefined, call?: string): Promise<never> {
    const tick = tickTime(job)
    if (Date.now() - tick.getTime() > FOREIGN_TICK_GRACE_MS) {
      throw new UnrecoverableError(
        call
          ? `Scheduled call of ${call} due ${tick.toISOString()}: no worker that took it has that function; deploy it to the workers`
          : `Schedule '${job.name}' is not wired in any worker that took its tick of ${tick.toISOString()}; wire it, or restart a worker so the schedule is removed`,
      )
    }
    this.options.logger.warn(
      call
        ? `Scheduled call of ${call} due ${tick.toISOString()}: this process does not have that function; handed back for a replica that has it`
        : `Schedule '${job.name}' is not wired in this process: tick ${tick.toISOString()} handed back for a replica that has it`,
    )
    await job.moveToDelayed(Date.now() + FOREIGN_TICK_RETRY_MS, token)
    throw new DelayedError()
  }
}

/** When a tick was due: its job was created at the previous tick and delayed until this one. */
function tickTime(job: Job): Date {
  return new Date(job.timestamp + (job.opts.delay ?? 0))
}

function toTaskStatus(state: string): 'scheduled' | 'active' | 'completed' | 'failed' {
  if (state === 'active' || state === 'completed' || state === 'failed') return state
  return 'scheduled'
}

/** core's skip(): the task decided not to run this tick. */
function isSkipped(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ScheduledTaskSkippedError'
}

function isUnchanged(stored: JobSchedulerJson | undefined, spec: ScheduleSpec, opts: Record<string, unknown>): boolean {
  if (!stored) return false
  const sameTiming = stored.pattern === spec.pattern && stored.every === spec.every && (stored.tz ?? undefined) === spec.tz
  // The span that last set the schedule up is not part of it.
  const { [SCHEDULE_SPAN]: _span, ...storedOpts } = (stored.template?.opts ?? {}) as Record<string, unknown>
  return sameTiming && isDeepStrictEqual(storedOpts, opts)
}
