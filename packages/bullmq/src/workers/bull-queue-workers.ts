import { hostname } from 'node:os'
import { context, ROOT_CONTEXT } from '@opentelemetry/api'
import { UnrecoverableError, Worker, type Job, type Telemetry } from 'bullmq'
import type { Redis } from 'ioredis'
import { pikkuState } from '@pikku/core/ecosystem'
import { registerQueueWorkers, type ConfigValidationResult, type CoreQueueWorker, type QueueWorkers } from '@pikku/core/queue'
import type { Logger } from '@pikku/core/services'
import { toBackoffStrategy } from './backoff-strategies.js'
import { probeConnectionRefusal } from '../connection/refusal-probe.js'
import { closeRedisClient, type RedisClient, type RedisClientBuilder } from '../connection/redis-client-builder.js'
import { closeWorkerWithDeadline } from './close-worker-with-deadline.js'
import { logFailedAttempt } from './failed-attempt-log.js'
import { logExcerpt } from '../logging/log-excerpt.js'
import { jobTraceId, RunningJob, runningJobs } from './running-jobs.js'
import { JobTimeoutError } from './job-timeout-error.js'
import { addJobControlsMiddleware } from './job-controls-middleware.js'
import { type BullJobOptions, toBullMQJobOptions } from '../producer/map-job-options.js'
import { isDiscardedJob, toBullMQError } from './non-retryable-error.js'
import { isStackOverflow, MAX_DATA_DEPTH, nestingDepth, POISON_REASON, quarantineDeepData, quarantineUnreadableFields } from './poison-jobs.js'
import { isRateLimitedError } from './rate-limited-error.js'
import { runQueueAttempt } from './run-queue-attempt.js'
import { thrownValueToError } from './thrown-value-to-error.js'
import { bullWorkerConfigMappings, toWorkerOptions } from './worker-config-mappings.js'
import type { JobTracer } from '../tracing/job-tracer.js'

/** Default for how long `close()` waits for active jobs. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 30_000

export interface BullQueueWorkersOptions {
  /** Builds each worker's connection (blocking profile: `maxRetriesPerRequest: null`). */
  clients: RedisClientBuilder
  /** BullMQ key prefix shared with the producers. */
  prefix: string
  logger: Logger
  /**
   * Names this process in BullMQ worker names (`<queue>@<workerName>`, shown
   * by `queue.getWorkers()` and Bull Board). Default: `<hostname>:<pid>`.
   */
  workerName?: string
  /** BullMQ's spans for each attempt; see the factory's `telemetry`. */
  telemetry?: Telemetry
  /** Pikku's spans and attributes on each attempt; set when `telemetry` is. */
  tracer?: JobTracer
  /** See the factory's `leanAttempts`. Default: true. */
  leanAttempts?: boolean
}

export interface CloseOptions {
  /** How long to wait for active jobs before force-closing. Default: 30000 ms. */
  timeoutMs?: number
}

/**
 * Pikku's {@link QueueWorkers} on BullMQ: one BullMQ Worker per wired queue.
 * Usually obtained from `BullServiceFactory.getQueueWorkers()`.
 */
export class BullQueueWorkers implements QueueWorkers {
  readonly name = 'bullmq'
  readonly supportsResults = true
  readonly configMappings = bullWorkerConfigMappings

  private readonly workers = new Map<string, Worker>()
  /** Each worker's command connection, which BullMQ leaves open (it duplicates it for the blocking one). */
  private readonly connections = new Map<Worker, RedisClient>()
  private readonly forceClosed = new WeakSet<Worker>()
  private readonly quarantineScans = new Map<string, Promise<boolean>>()
  private nextRefusalProbe = 0
  private registered = false
  private closing: Promise<{ forced: boolean }> | undefined

  constructor(private readonly options: BullQueueWorkersOptions) {}

  /**
   * Starts a worker for every queue wired with `wireQueueWorker` and resolves
   * once all of them are connected and running. Call it after the singleton
   * services are set (jobs start at once). If any queue fails to start, the
   * others are closed again and one error lists every failure.
   */
  async registerQueues(): Promise<Record<string, ConfigValidationResult[]>> {
    if (this.closing) throw new Error('BullQueueWorkers is closed')
    if (this.registered) throw new Error('BullQueueWorkers.registerQueues() was already called')
    this.registered = true

    // Core catches and only logs errors thrown here, so they are collected to fail start-up.
    const failures: Array<{ queueName: string; error: unknown }> = []
    const validation = await registerQueueWorkers(this.configMappings, this.options.logger, async (queueName, registration) => {
      try {
        await this.startWorker(queueName, registration)
      } catch (error) {
        failures.push({ queueName, error })
        throw error
      }
    })

    if (failures.length > 0) {
      await this.close()
      const causes = failures.map(({ queueName, error }) => `  - ${queueName}: ${error instanceof Error ? error.message : String(error)}`)
      throw new Error(`Failed to start ${failures.length} queue worker(s):\n${causes.join('\n')}`, {
        cause: failures.length === 1 ? failures[0]!.error : failures.map(({ error }) => error),
      })
    }
    return validation
  }

  /** The BullMQ worker for a queue, once registered; e.g. to call `run()` when `autorun: false`. */
  getWorker(queueName: string): Worker | undefined {
    return this.workers.get(queueName)
  }

  /**
   * Aborts the `wire.queue.signal` of a job this process is running; the
   * function decides what to do about it (a function that stops by throwing
   * fails the attempt). Returns false if the job is not running here.
   * BullMQ's own `worker.cancelJob()` does not reach the signal.
   */
  cancelJob(queueName: string, jobId: string, reason: unknown = 'The job was cancelled'): boolean {
    const running = runningJobs.get(jobTraceId(queueName, jobId))
    running?.abort(reason)
    return running !== undefined
  }

  /**
   * Stops taking jobs, waits up to `timeoutMs` for active ones, then
   * force-closes: unfinished jobs are moved back to waiting (with their lock
   * token, so this does not count as a stall) and their functions' abort
   * signals fire. `forced` tells whether any worker had to be forced. Safe to
   * call more than once.
   */
  close({ timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS }: CloseOptions = {}): Promise<{ forced: boolean }> {
    this.closing ??= this.closeAll(timeoutMs)
    return this.closing
  }

  private async startWorker(queueName: string, registration: CoreQueueWorker): Promise<void> {
    const { logger } = this.options
    addJobControlsMiddleware(registration)
    const workerName = this.options.workerName ?? `${hostname()}:${process.pid}`
    const config = registration.config ?? {}
    const workerOptions = toWorkerOptions(config)
    // Job defaults are applied when jobs are added; checking them now reports a mistake at start-up.
    toBullMQJobOptions({}, config, queueName)
    const connection = this.options.clients.create('blocking')
    let worker: Worker
    try {
      // Two parameters: BullMQ makes an AbortController per job for a processor that takes a third.
      // Made in the root context: BullMQ's loop keeps it, so a job added without a trace (a tick of a
      // repeatable job) starts one of its own rather than joining whatever span was active at start-up.
      worker = context.with(ROOT_CONTEXT, () => new Worker(queueName, (job: Job, token): Promise<unknown> => this.processJob(worker, job, token, config.timeout), {
        ...workerOptions,
        settings: {
          backoffStrategy: toBackoffStrategy(queueName, config.backoffStrategies ?? {}, logger),
          ...workerOptions.settings,
        },
        // CLIENT SETNAME refuses spaces.
        name: `${queueName}@${workerName}`.replace(/\s/g, '_'),
        connection,
        prefix: this.options.prefix,
        telemetry: this.options.telemetry,
      }))
    } catch (error) {
      // BullMQ validates some options (stalledInterval, drainDelay, …) after it has begun to connect.
      await closeRedisClient(connection)
      throw error
    }
    // Registered before waiting, so close() also reaches a worker that never became ready.
    this.workers.set(queueName, worker)
    this.connections.set(worker, connection)

    worker.on('error', (error) => {
      // After a forced close, lock renewal for the abandoned jobs fails by design.
      if (this.forceClosed.has(worker)) return
      if (error instanceof SyntaxError) {
        // A job BullMQ could not read (see poison-jobs.ts): quarantine it, so its next attempt fails
        // for good. A SyntaxError that no quarantine explains is logged like any other error.
        void this.quarantineActiveJobs(queueName, worker).then((quarantined) => {
          if (!quarantined) logger.error(`BullMQ worker '${queueName}' error:`, error)
        })
        return
      }
      logger.error(`BullMQ worker '${queueName}' error:`, error)
      if (isConnectionLoss(error)) void this.explainConnectionLoss()
    })
    worker.on('stalled', (jobId) => {
      logger.warn(`Job ${jobId} in queue '${queueName}' stalled (its worker stopped renewing the lock); it goes back to the queue`)
    })
    // The one log line of a failed attempt (core's own lines are filtered out).
    worker.on('failed', (job, error) => {
      if (!job) {
        logger.error(`A job in queue '${queueName}' failed and was removed: ${logExcerpt(error.message)}`)
        return
      }
      logFailedAttempt(logger, `Job ${job.id} in queue '${queueName}'`, job, error)
    })

    await worker.waitUntilReady()
  }

  /**
   * Runs one attempt (see {@link runQueueAttempt}), registered as running so
   * shutdown can hand it back and its signal can be aborted. The signal
   * aborts when the worker is force-closed or when the attempt outlives its
   * timeout (the job's `timeout`, else the wiring's): then the attempt fails
   * at once with a JobTimeoutError, and a function that ignores the signal
   * runs on unobserved. A RateLimitedError pauses the queue instead of
   * failing the attempt.
   */
  private async processJob(worker: Worker, job: Job, token: string | undefined, wiringTimeoutMs: number | undefined): Promise<unknown> {
    const { tracer } = this.options
    const funcId = tracer && (queueFunctionId(job.queueName) ?? job.queueName)
    const span = tracer?.startAttempt(job, { 'pikku.function.id': funcId })
    const poisoned = (job.opts as Record<string, unknown>)[POISON_REASON]
    if (typeof poisoned === 'string') {
      const error = new UnrecoverableError(`Job ${job.id} cannot run: ${poisoned}`)
      tracer?.endAttempt(span, 'non_retryable', error)
      throw error
    }
    const traceId = jobTraceId(job.queueName, job.id!)
    const running = new RunningJob(job, worker, token)
    runningJobs.set(traceId, running)
    const timeoutMs = (job.opts as BullJobOptions).timeout ?? wiringTimeoutMs
    let timer: NodeJS.Timeout | undefined
    try {
      const attempt = this.runAttempt(running, traceId, funcId)
      if (timeoutMs !== undefined) attempt.catch(() => undefined)
      const result = timeoutMs === undefined
        ? await attempt
        : await Promise.race([
            attempt,
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => {
                const error = new JobTimeoutError(job.id!, job.queueName, timeoutMs)
                running.abort(error)
                reject(error)
              }, timeoutMs)
            }),
          ])
      tracer?.endAttempt(span, 'completed')
      return result
    } catch (error) {
      if (isStackOverflow(error) && nestingDepth(job.data) > MAX_DATA_DEPTH) {
        const reason = await quarantineDeepData(await workerClient(worker), worker.toKey(job.id!), MAX_DATA_DEPTH)
        const invalid = new UnrecoverableError(`Invalid data: job ${job.id} cannot run: ${reason}`)
        tracer?.endAttempt(span, 'non_retryable', invalid)
        throw invalid
      }
      if (isDiscardedJob(error)) {
        // Pikku's discard: the job is dropped on purpose, so it completes (no retry, no error line).
        this.options.logger.info(`${logExcerpt(error.message)} (queue '${job.queueName}'): completed, not retried`)
        await job.log(error.message).catch(() => undefined)
        tracer?.endAttempt(span, 'discarded')
        return undefined
      }
      if (isRateLimitedError(error)) {
        // BullMQ's manual rate limit (worker.rateLimit is marked deprecated in favour of
        // queue.rateLimit, which this worker has no Queue for): the job returns to waiting
        // with its attempts untouched.
        this.options.logger.info(`Queue '${job.queueName}' paused for ${error.retryAfterMs} ms: job ${job.id} was rate limited (${logExcerpt(error.message)})`)
        tracer?.endAttempt(span, 'rate_limited')
        await worker.rateLimit(error.retryAfterMs)
        throw Worker.RateLimitError()
      }
      const failure = toBullMQError(thrownValueToError(error))
      tracer?.endFailedAttempt(span, job, failure, { timedOut: error instanceof JobTimeoutError })
      throw failure
    } finally {
      runningJobs.delete(traceId)
      clearTimeout(timer)
    }
  }

  /** The attempt itself, in a `run` span of `funcId` when tracing is on. */
  private runAttempt(running: RunningJob, traceId: string, funcId: string | undefined): Promise<unknown> {
    const { tracer, logger, leanAttempts = true } = this.options
    if (!tracer || funcId === undefined) return runQueueAttempt(running, traceId, logger, leanAttempts)
    const { queueName } = running.job
    return tracer.run(funcId, { 'pikku.wire.type': 'queue', 'pikku.wire.id': queueName }, () => runQueueAttempt(running, traceId, logger, leanAttempts), isAttemptFailure)
  }

  /**
   * Quarantines the unreadable fields of this queue's active jobs: the job a worker could not read
   * is among them, waiting for its lock to expire. Scans of a queue run one after another and none
   * is skipped: an error that comes during a scan may be about a job that scan did not see. Resolves
   * to whether the error is explained (a job quarantined now or by an earlier scan).
   */
  private quarantineActiveJobs(queueName: string, worker: Worker): Promise<boolean> {
    const scan = (this.quarantineScans.get(queueName) ?? Promise.resolve(false)).then(() => this.scanActiveJobs(queueName, worker))
    this.quarantineScans.set(queueName, scan)
    void scan.finally(() => {
      if (this.quarantineScans.get(queueName) === scan) this.quarantineScans.delete(queueName)
    })
    return scan
  }

  private async scanActiveJobs(queueName: string, worker: Worker): Promise<boolean> {
    let explained = false
    try {
      const redis = await workerClient(worker)
      for (const jobId of await redis.lrange(worker.toKey('active'), 0, -1)) {
        const { reason, now } = await quarantineUnreadableFields(redis, worker.toKey(jobId))
        if (reason) explained = true
        if (now) {
          this.options.logger.warn(`Job ${jobId} in queue '${queueName}' cannot be read: ${logExcerpt(reason!)}. It fails, not retried, once its lock expires; the stored value is kept in its pikkuRaw:* field`)
        }
      }
    } catch (error) {
      this.options.logger.error(`Queue '${queueName}': could not quarantine an unreadable job:`, error)
    }
    return explained
  }

  /**
   * ioredis reports a refused reconnection only as the write that failed (EPIPE, "Connection is
   * closed"); ask Redis why, and log its answer (maxclients reached, say) at most every 10 s.
   */
  private async explainConnectionLoss(): Promise<void> {
    const now = Date.now()
    if (now < this.nextRefusalProbe) return
    // Asked again within a second while Redis gives no reason (the first errors can come before it
    // refuses), but said at most every 10 s once it does.
    this.nextRefusalProbe = now + 1_000
    const node = this.options.clients.singleNode
    const refusal = node && (await probeConnectionRefusal(node))
    if (refusal) {
      this.nextRefusalProbe = Date.now() + 10_000
      this.options.logger.error(
        `Redis refuses new connections: ${refusal}. The workers cannot reconnect until it accepts them: raise maxclients, or open fewer connections (2 per wired queue per process)`,
      )
    }
  }

  private async closeAll(timeoutMs: number): Promise<{ forced: boolean }> {
    const forced = await Promise.all(
      [...this.workers.entries()].map(async ([queueName, worker]) => {
        const forced = await closeWorkerWithDeadline(worker, timeoutMs, () => this.handBackActiveJobs(queueName, worker, timeoutMs))
        const connection = this.connections.get(worker)
        if (connection) await closeRedisClient(connection)
        return forced
      })
    )
    return { forced: forced.includes(true) }
  }

  /**
   * At the shutdown deadline: unfinished jobs go straight back to waiting, so
   * another worker takes them now rather than after lock expiry, and a forced
   * deploy does not use up one of the job's `maxStalledCount` stalls. A job
   * that cannot be moved (Redis unreachable) is left active for stalled-job
   * detection, as before.
   */
  private async handBackActiveJobs(queueName: string, worker: Worker, timeoutMs: number): Promise<void> {
    // From here on, the abandoned runs' late completions fail on purpose (their lock is gone).
    this.forceClosed.add(worker)
    const active = [...runningJobs.values()].filter((running) => running.worker === worker)
    const results = await Promise.allSettled(active.map(({ job, token }) => job.moveToWait(token)))
    const handedBack = active.filter((_, index) => results[index]!.status === 'fulfilled').map(({ job }) => job.id)
    const left = active.filter((_, index) => results[index]!.status === 'rejected').map(({ job }) => job.id)
    for (const running of active) running.abort('The worker is shutting down')
    this.options.logger.warn(
      `Queue '${queueName}': active jobs did not finish within ${timeoutMs} ms; closing anyway.` +
        (handedBack.length > 0 ? ` Moved back to waiting: ${handedBack.join(', ')}.` : '') +
        (left.length > 0 ? ` Could not move ${left.join(', ')} (they are retried once their lock expires).` : '')
    )
  }
}

/** The worker's own command connection: BullMQ types it as its IRedisClient, but it is the ioredis client it made. */
async function workerClient(worker: Worker): Promise<Redis> {
  return (await worker.getBackend().client) as unknown as Redis
}

/** The Pikku function a queue's jobs run, for the attempt's span. */
function queueFunctionId(queueName: string): string | undefined {
  return pikkuState(null, 'queue', 'meta')[queueName]?.pikkuFuncId
}

/** A thrown value that fails the attempt: a discard or a rate limit is thrown on purpose. */
function isAttemptFailure(error: unknown): boolean {
  return !isDiscardedJob(error) && !isRateLimitedError(error)
}

/** The errors an ioredis connection gives when Redis closes it or turns it away. */
function isConnectionLoss(error: Error): boolean {
  // Depending on timing, a refused reconnection surfaces as the failed write or as Redis's own reply.
  return /EPIPE|ECONNRESET|Connection is closed|max number of clients reached/.test(error.message)
}
