import type { Telemetry } from 'bullmq'
import type { RedisOptions } from 'ioredis'
import { ConsoleLogger, type Logger } from '@pikku/core/services'
import { BullQueueService } from './producer/bull-queue-service.js'
import { DEFAULT_PRODUCER_TIMEOUT_MS, ProducerConnection } from './connection/producer-connection.js'
import { BullQueueWorkers, DEFAULT_CLOSE_TIMEOUT_MS, type CloseOptions } from './workers/bull-queue-workers.js'
import { BullSchedulerService, type BullSchedulerServiceOptions } from './scheduler/bull-scheduler-service.js'
import { closeRedisClient, connectRedisClient, RedisClientBuilder } from './connection/redis-client-builder.js'
import { DEFAULT_REDIS_URL } from './connection/redis-url.js'
import { resolveBullMQTelemetry } from './tracing/bullmq-telemetry.js'
import { JobTracer } from './tracing/job-tracer.js'
import { BullWorkflowService, type BullWorkflowServiceOptions } from './workflows/bull-workflow-service.js'

export interface BullServiceFactoryOptions {
  /**
   * Redis URL; its scheme picks the topology: `redis://[user:password@]host[:port][/db]` one node,
   * `redis+sentinel://[user:password@]host:26379,host:26379/masterName[/db]` Sentinel,
   * `redis+cluster://[user:password@]host:6379,host:6379` a Redis Cluster (`rediss…` for TLS).
   * Default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
   */
  redisUrl?: string
  /** Extra ioredis options merged over those parsed from redisUrl (on a Cluster: each node's). */
  connection?: RedisOptions
  /**
   * BullMQ key prefix. On a Redis Cluster it must have a hash tag (`{myapp}`), which keeps all of
   * the app's keys in one slot. Default: process.env.PIKKU_QUEUE_PREFIX ?? 'bull'
   */
  prefix?: string
  /** Logger. Default: new ConsoleLogger() */
  logger?: Logger
  /**
   * How long a producer call (`add`, `getJob`, waiting for a result) waits for
   * Redis to be reachable before it rejects with an error naming the Redis URL.
   * Workers are not affected: they wait for Redis as long as it takes.
   * Default: 5000 ms.
   */
  producerTimeoutMs?: number
  /**
   * Replicas that must confirm each add (Redis WAIT, up to `producerTimeoutMs`) before it resolves,
   * so a failover cannot lose a job its producer was told was added. Costs a round trip per add,
   * shared by concurrent adds. On a Cluster the WAIT goes to the master of the prefix's slot.
   * Default: process.env.REDIS_REPLICA_ACKS, else 1 on Sentinel and 0 otherwise.
   */
  replicaAcks?: number
  /**
   * OpenTelemetry tracing: BullMQ's spans (`add`, `process`, …) on every Queue and Worker the factory
   * creates, one trace from a producer's add through each attempt, and Pikku's own (`run` and
   * `function` per attempt, `schedule`, `wait`; see tracing/job-tracer.ts). Default: on (through
   * `bullmq-otel`) when the app registered a tracer provider before creating the factory, else off
   * at no cost. Give a Telemetry instance of your own, or `false` to turn tracing off.
   */
  telemetry?: Telemetry | false
  /**
   * Runs each attempt of a function whose configuration allows it through pikku-bullmq's lean path
   * (core's steps without its per-call closures; README: "The lean attempt path") rather than
   * through core's `runPikkuFunc`. `false` sends every attempt through core. Default: true.
   */
  leanAttempts?: boolean
  /**
   * Names this process in BullMQ worker names (`<queue>@<workerName>`, as
   * listed by `queue.getWorkers()` and Bull Board). Default: `<hostname>:<pid>`.
   */
  workerName?: string
}

const FACTORY_OPTIONS = new Set(['redisUrl', 'connection', 'prefix', 'logger', 'producerTimeoutMs', 'replicaAcks', 'telemetry', 'leanAttempts', 'workerName'])

/**
 * A key the factory does not read would be ignored, and the factory would
 * connect to the default Redis: `new BullServiceFactory({ host, port })`, as
 * other Pikku BullMQ adapters take it, is the usual case.
 */
function rejectUnknownFactoryOptions(options: object): void {
  const unknown = Object.keys(options).filter((key) => !FACTORY_OPTIONS.has(key))
  if (unknown.length === 0) return
  throw new Error(
    `Unknown BullServiceFactory option${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `'${key}'`).join(', ')}: ` +
      `give Redis as redisUrl: 'redis://host:6379' (or REDIS_URL), or as ioredis options under connection: { host, port, … }; ` +
      `the options are ${[...FACTORY_OPTIONS].join(', ')}`,
  )
}

function resolveReplicaAcks(option: number | undefined, clients: RedisClientBuilder): number {
  const fromEnv = process.env.REDIS_REPLICA_ACKS
  const value = option ?? (fromEnv ? Number(fromEnv) : clients.topology === 'sentinel' ? 1 : 0)
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`Invalid ${option === undefined ? `REDIS_REPLICA_ACKS=${fromEnv}` : `replicaAcks ${option}`}: expected a whole number of replicas (0 confirms nothing)`)
  }
  return value
}

/** First and largest pause between connection attempts in `init()`. */
const INIT_RETRY_MIN_MS = 250
const INIT_RETRY_MAX_MS = 5_000

/**
 * Creates the BullMQ queue service and workers from one Redis configuration,
 * and shuts them all down together.
 *
 * Typical start-up: `await factory.init()`, create the singleton services
 * (passing `factory.getQueueService()` as `queueService`), then
 * `await factory.getQueueWorkers().registerQueues()`. On SIGTERM:
 * `const { forced } = await factory.close()`, then `stopSingletonServices()`,
 * then exit non-zero if `forced`.
 */
export class BullServiceFactory {
  readonly prefix: string
  /** Builds every connection the factory's parts open; `clients.topology` says which Redis this is. */
  readonly clients: RedisClientBuilder
  private readonly logger: Logger
  private readonly producerTimeoutMs: number
  private readonly replicaAcks: number
  private readonly telemetry: Telemetry | undefined
  private readonly tracer: JobTracer | undefined
  private readonly workerName: string | undefined
  private readonly leanAttempts: boolean
  private queueService: BullQueueService | undefined
  private queueWorkers: BullQueueWorkers | undefined
  private schedulerService: BullSchedulerService | undefined
  private workflowService: BullWorkflowService | undefined
  private closing: Promise<{ forced: boolean }> | undefined

  constructor(options: BullServiceFactoryOptions = {}) {
    rejectUnknownFactoryOptions(options)
    this.prefix = options.prefix ?? process.env.PIKKU_QUEUE_PREFIX ?? 'bull'
    this.logger = options.logger ?? new ConsoleLogger()
    this.clients = new RedisClientBuilder(options.redisUrl ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL, options.connection)
    this.clients.assertPrefixFits(this.prefix)
    this.workerName = options.workerName
    this.leanAttempts = options.leanAttempts ?? true
    this.producerTimeoutMs = options.producerTimeoutMs ?? DEFAULT_PRODUCER_TIMEOUT_MS
    if (!(this.producerTimeoutMs > 0)) {
      throw new Error(`Invalid producerTimeoutMs ${this.producerTimeoutMs}: expected a number of milliseconds > 0`)
    }
    this.replicaAcks = resolveReplicaAcks(options.replicaAcks, this.clients)
    this.telemetry = resolveBullMQTelemetry(options.telemetry)
    this.tracer = this.telemetry && new JobTracer(this.telemetry)
  }

  /**
   * Waits until Redis answers PING, retrying with exponential backoff
   * (250 ms up to 5 s) and logging each failure, so a worker started before
   * Redis waits for it instead of crashing. Rejects only if `close()` is called
   * meanwhile.
   */
  async init(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.closing) throw new Error('BullServiceFactory was closed before Redis answered')
      const error = await this.ping()
      if (!error) {
        if (attempt > 1) this.logger.info(`Redis at ${this.clients.redactedUrl} is reachable`)
        return
      }
      const delayMs = Math.min(INIT_RETRY_MAX_MS, INIT_RETRY_MIN_MS * 2 ** (attempt - 1))
      this.logger.warn(
        `Redis at ${this.clients.redactedUrl} is not reachable (attempt ${attempt}: ${error.message}); retrying in ${delayMs} ms`
      )
      await new Promise((resolve) => setTimeout(resolve, delayMs))
    }
  }

  /** The producer side; the same instance on every call. */
  getQueueService(): BullQueueService {
    this.assertOpen()
    this.queueService ??= new BullQueueService({
      producerConnection: new ProducerConnection({
        client: this.clients.create('producer'),
        redactedUrl: this.clients.redactedUrl,
        timeoutMs: this.producerTimeoutMs,
        replicaAcks: this.replicaAcks,
        slotKey: `${this.prefix}:replica-ack`,
        logger: this.logger,
      }),
      clients: this.clients,
      prefix: this.prefix,
      logger: this.logger,
      telemetry: this.telemetry,
      tracer: this.tracer,
    })
    return this.queueService
  }

  /** The consumer side; the same instance on every call. */
  getQueueWorkers(): BullQueueWorkers {
    this.assertOpen()
    this.queueWorkers ??= new BullQueueWorkers({
      clients: this.clients,
      prefix: this.prefix,
      logger: this.logger,
      workerName: this.workerName,
      telemetry: this.telemetry,
      tracer: this.tracer,
      leanAttempts: this.leanAttempts,
    })
    return this.queueWorkers
  }

  /**
   * Runs the `wireScheduler` tasks; the same instance on every call. Call `start()` on it after
   * the singleton services are set: it reconciles the schedules in Redis and starts running ticks.
   */
  getSchedulerService(options: Pick<BullSchedulerServiceOptions, 'queueName' | 'concurrency'> = {}): BullSchedulerService {
    this.assertOpen()
    this.schedulerService ??= new BullSchedulerService({
      clients: this.clients,
      prefix: this.prefix,
      logger: this.logger,
      telemetry: this.telemetry,
      tracer: this.tracer,
      ...options,
    })
    return this.schedulerService
  }

  /**
   * Durable workflows (core's engine; README "Durable workflows"); the same instance on every call.
   * Create it after the generated bootstrap is loaded and before `registerQueues()`: it wires a worker
   * on each workflow queue codegen declared and the recovery task of the scheduler service, which
   * must be started too (sleeps are its delayed jobs). Its store shares the producers' connection.
   */
  getWorkflowService(options: Omit<BullWorkflowServiceOptions, 'connection' | 'queueService' | 'prefix' | 'logger'> = {}): BullWorkflowService {
    this.assertOpen()
    const queueService = this.getQueueService()
    this.workflowService ??= new BullWorkflowService({
      ...options,
      queueService,
      connection: queueService.producerConnection,
      prefix: this.prefix,
      logger: this.logger,
    })
    return this.workflowService
  }

  /**
   * Graceful shutdown: workers stop taking jobs and get up to `timeoutMs`
   * (default 30000) for active ones, then are force-closed (unfinished jobs
   * stay active and are recovered by BullMQ stalled-job detection); then every
   * queue and queue-events connection is closed. Workers close first so that
   * finishing jobs can still enqueue follow-up work. `forced` is true if any
   * worker had to be forced, so the caller can exit non-zero. Safe to call
   * twice: later calls return the first call's result.
   */
  close({ timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS }: CloseOptions = {}): Promise<{ forced: boolean }> {
    this.closing ??= this.closeAll(timeoutMs)
    return this.closing
  }

  private async closeAll(timeoutMs: number): Promise<{ forced: boolean }> {
    const [workers, scheduler] = await Promise.all([
      this.queueWorkers?.close({ timeoutMs }) ?? { forced: false },
      // Stops running ticks only: schedules are never removed on shutdown.
      this.schedulerService?.closeWithin(timeoutMs) ?? { forced: false },
    ])
    await this.queueService?.close()
    return { forced: workers.forced || scheduler.forced }
  }

  /** One connection attempt; resolves to the failure, if any. */
  private async ping(): Promise<Error | undefined> {
    // One attempt per call: the loop in init() owns retrying and logging.
    const client = this.clients.create('producer', { oneAttempt: true })
    // Without a listener ioredis prints each failed attempt; connectRedisClient reports the cause.
    client.on('error', () => undefined)
    try {
      await connectRedisClient(client, INIT_RETRY_MAX_MS)
      await client.ping()
      return undefined
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error))
    } finally {
      await closeRedisClient(client)
    }
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('BullServiceFactory is closed')
  }
}
