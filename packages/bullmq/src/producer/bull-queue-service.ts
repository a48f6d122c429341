import { Queue, QueueEvents, type Telemetry } from 'bullmq'
import type { Safe } from '@pikku/core'
import type { JobOptions, QueueJob, QueueService } from '@pikku/core/queue'
import { pikkuState } from '@pikku/core/ecosystem'
import type { Logger } from '@pikku/core/services'
import { mapBullJob } from './map-bull-job.js'
import { toBullMQJobOptions } from './map-job-options.js'
import type { ProducerConnection } from '../connection/producer-connection.js'
import { closeRedisClient, type RedisClient, type RedisClientBuilder } from '../connection/redis-client-builder.js'
import { describeSchedule, toScheduleSpec, type ScheduleDeclaration } from '../scheduler/schedule-spec.js'
import { findWiringConfig } from './wiring-config.js'
import { withTimeout } from '../connection/with-timeout.js'
import type { JobTracer } from '../tracing/job-tracer.js'

/** How long `close()` lets a queue or queue events close gracefully before disconnecting it. */
const CLOSE_TIMEOUT_MS = 2_000

const CLOSE_TIMED_OUT = 'close timed out'

/**
 * Closes a BullMQ queue or queue events, dropping its connection if that takes longer than `ms`.
 * After a Redis restart, a QueueEvents' close was seen never to finish (about one run in eight of
 * test/redis-outage.test.ts), and BullMQ's own disconnect() then waits for an 'end' event its
 * client never emits: that kept `close()`, and so the process, from ending.
 */
async function closeWithin(closable: Queue | QueueEvents, ms: number): Promise<void> {
  const closing = closable.close()
  // A close that fails after the deadline has nobody left to tell.
  closing.catch(() => undefined)
  try {
    await withTimeout(closing, ms, CLOSE_TIMED_OUT)
  } catch (error) {
    if (!(error instanceof Error && error.message === CLOSE_TIMED_OUT)) throw error
    ;(await closable.getBackend().client).disconnect()
  }
}

/** When a repeatable job repeats: a cron `schedule` (5 or 6 fields) with an optional `tz`, or `every` (ms or '5m'). */
export type RepeatSchedule = Omit<ScheduleDeclaration, 'name'>

/** A repeatable job as stored in Redis. */
export interface RepeatableJob {
  id: string
  /** e.g. "0 3 * * * (Europe/Paris)" or "every 300000 ms". */
  schedule: string
  /** When it next adds a job, if known. */
  next: Date | undefined
}

export interface BullQueueServiceOptions {
  /** The connection all producer queues share (closed with the service); it fails fast while Redis is down. */
  producerConnection: ProducerConnection
  /** Builds the queue events' blocking connections. */
  clients: RedisClientBuilder
  /** BullMQ key prefix shared with the workers. */
  prefix: string
  logger: Logger
  /** BullMQ's spans for adds; see the factory's `telemetry`. */
  telemetry?: Telemetry
  /** Pikku's spans for repeatable jobs and for callers waiting for a result; set when `telemetry` is. */
  tracer?: JobTracer
}

/**
 * Pikku's {@link QueueService} on BullMQ: adds jobs and reads them back from
 * any process. Usually obtained from `BullServiceFactory.getQueueService()`.
 */
export class BullQueueService implements QueueService {
  readonly supportsResults = true

  private readonly queues = new Map<string, Queue>()
  private readonly queueEvents = new Map<string, Promise<QueueEvents>>()
  /** Every QueueEvents created, ready or not, so close() reaches them all. */
  private readonly startedQueueEvents: QueueEvents[] = []
  private readonly groupWarnings = new Set<string>()
  private readonly unwiredWarnings = new Set<string>()
  /** Never connected: each QueueEvents makes its own blocking connection from it (BullMQ duplicates it). */
  private eventsTemplate: RedisClient | undefined
  private closing: Promise<void> | undefined

  constructor(private readonly options: BullQueueServiceOptions) {}

  /** The one connection of every producer queue; the workflow store shares it. */
  get producerConnection(): ProducerConnection {
    return this.options.producerConnection
  }

  /**
   * Adds a job and returns its id. Options map to BullMQ as documented on
   * `toBullMQJobOptions`; note that pikku priorities run higher-first.
   */
  async add<T>(queueName: string, data: Safe<T>, options?: JobOptions): Promise<string> {
    this.warnIfGrouped(queueName, options)
    this.warnIfUnwired(queueName)
    const jobOptions = toBullMQJobOptions(options, findWiringConfig(queueName), queueName)
    const queue = this.getQueue(queueName)
    const job = await this.options.producerConnection.write(`add a job to queue '${queueName}'`, () => queue.add(queueName, data, jobOptions))
    if (job.id === undefined) {
      throw new Error(`BullMQ did not return an id for the job added to '${queueName}'`)
    }
    return job.id
  }

  /**
   * Adds several jobs to one queue in a single round trip (BullMQ addBulk)
   * and returns their ids, in order. Each job's options are mapped and
   * checked as in `add`, over the wiring's jobDefaults; if one is invalid,
   * none is added.
   */
  async addBulk<T>(queueName: string, jobs: ReadonlyArray<{ data: Safe<T>; options?: JobOptions }>): Promise<string[]> {
    const wiring = findWiringConfig(queueName)
    this.warnIfUnwired(queueName)
    const bulk = jobs.map(({ data, options }) => {
      this.warnIfGrouped(queueName, options)
      return { name: queueName, data, opts: toBullMQJobOptions(options, wiring, queueName) }
    })
    if (bulk.length === 0) return []
    const queue = this.getQueue(queueName)
    const added = await this.options.producerConnection.write(`add ${bulk.length} jobs to queue '${queueName}'`, () => queue.addBulk(bulk))
    return added.map((job) => {
      if (job.id === undefined) throw new Error(`BullMQ did not return an id for a job added to '${queueName}'`)
      return job.id
    })
  }

  /**
   * Creates or updates the repeatable job `id` of a queue: a BullMQ job scheduler that adds a job
   * with `data` (and `options`, over the wiring's jobDefaults) on a cron `schedule` (with an
   * optional `tz`) or `every` interval. Upserting the same id again changes it in place.
   */
  async addRepeatable<T>(queueName: string, id: string, repeat: RepeatSchedule, data: Safe<T>, options?: JobOptions): Promise<RepeatableJob> {
    const spec = toScheduleSpec({ name: id, ...repeat }, 'Repeatable job')
    const { jobId, delay, deduplication, ...template } = toBullMQJobOptions(options, findWiringConfig(queueName), queueName)
    if (jobId !== undefined || delay !== undefined || deduplication !== undefined) {
      throw new Error(`Repeatable job '${id}' of queue '${queueName}': jobId, delay and deduplication cannot be set on a repeatable job`)
    }
    const queue = this.getQueue(queueName)
    const upsert = (traceFields: Record<string, unknown>) =>
      this.options.producerConnection.write(`add repeatable job '${id}' to queue '${queueName}'`, () =>
        // Each job it adds starts a trace of its own rather than joining the caller's (see JobTracer).
        queue.upsertJobScheduler(id, spec, { name: queueName, data, opts: { ...template, ...traceFields, telemetry: { omitContext: true } } }),
      )
    const { tracer } = this.options
    const job = await (tracer ? tracer.schedule(`${queueName}:${id}`, { 'pikku.schedule.id': id, 'messaging.destination.name': queueName, 'pikku.schedule': describeSchedule(spec) }, upsert) : upsert({}))
    return { id, schedule: describeSchedule(spec), next: job?.timestamp === undefined ? undefined : new Date(job.timestamp + (job.opts.delay ?? 0)) }
  }

  /** The repeatable jobs of a queue, with their schedule and next run. */
  async getRepeatables(queueName: string): Promise<RepeatableJob[]> {
    const queue = this.getQueue(queueName)
    const schedulers = await this.options.producerConnection.run(`list repeatable jobs of queue '${queueName}'`, () => queue.getJobSchedulers(0, -1, true))
    return schedulers.map((scheduler) => ({
      id: scheduler.key,
      schedule: describeSchedule(scheduler),
      next: scheduler.next === undefined ? undefined : new Date(scheduler.next),
    }))
  }

  /** Stops a repeatable job; true if it existed. Jobs it already added stay. */
  async removeRepeatable(queueName: string, id: string): Promise<boolean> {
    const queue = this.getQueue(queueName)
    return this.options.producerConnection.write(`remove repeatable job '${id}' of queue '${queueName}'`, () => queue.removeJobScheduler(id))
  }

  /**
   * Reads a job by id, or null if it does not exist (or was removed). Works
   * in any process that shares the Redis and prefix, whether or not it added
   * the job.
   */
  async getJob<T, R>(queueName: string, jobId: string): Promise<QueueJob<T, R> | null> {
    const queue = this.getQueue(queueName)
    const job = await this.options.producerConnection.run(`read job ${jobId} of queue '${queueName}'`, () => queue.getJob(jobId))
    if (!job) return null
    return mapBullJob<T, R>(job, {
      reload: () => queue.getJob(jobId),
      queueEvents: () => this.getQueueEvents(queueName),
      tracer: this.options.tracer,
    })
  }

  /**
   * The BullMQ queue behind `queueName`, created on first use and reused
   * after; for dashboards and admin tasks.
   */
  getQueue(queueName: string): Queue {
    this.assertOpen()
    let queue = this.queues.get(queueName)
    if (!queue) {
      queue = new Queue(queueName, { connection: this.options.producerConnection.client, prefix: this.options.prefix, telemetry: this.options.telemetry })
      queue.on('error', (error) => {
        // Connection errors are reported once per outage by the shared producer connection.
        if (!this.options.producerConnection.isDown) this.options.logger.error(`BullMQ queue '${queueName}' error:`, error)
      })
      this.queues.set(queueName, queue)
    }
    return queue
  }

  private warnIfGrouped(queueName: string, options: JobOptions | undefined): void {
    if (options?.group && !this.groupWarnings.has(queueName)) {
      this.groupWarnings.add(queueName)
      this.options.logger.warn(`Queue '${queueName}': job groups are a BullMQ Pro feature; 'group' is ignored`)
    }
  }

  /**
   * In a process that has loaded the wirings (the worker server, or a producer that imports the
   * bootstrap), a queue none of them declares is most often a typo, whose jobs would wait forever.
   * Warned once per queue: a queue that another service runs is a legitimate target.
   */
  private warnIfUnwired(queueName: string): void {
    // Every add passes here: the common case (a wired queue) costs one property lookup.
    const meta = pikkuState(null, 'queue', 'meta') as Record<string, unknown> | undefined
    if (!meta || queueName in meta || this.unwiredWarnings.has(queueName)) return
    const wired = Object.keys(meta)
    if (wired.length === 0) return
    this.unwiredWarnings.add(queueName)
    this.options.logger.warn(
      `Queue '${queueName}' is not declared by any wireQueueWorker this process loaded (${wired.map((name) => `'${name}'`).join(', ')}), ` +
        `so no worker of this project takes its jobs: check the name (the typed PikkuQueue catches it at compile time), or ignore this if another service runs '${queueName}'`,
    )
  }

  /** Closes every queue, queue events and the producer connection. Safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= this.closeAll()
    return this.closing
  }

  /**
   * One QueueEvents per queue, created only when somebody waits for a job:
   * each holds a blocking connection for as long as it lives.
   *
   * Its reader starts from the events stream's last id, read before anybody
   * checks whether the job already finished. Started at `$` (BullMQ's
   * default), the first blocking read begins some time after the connection
   * is up, and a job finishing in between was neither seen by the check nor
   * read from the stream, so the wait timed out.
   */
  private getQueueEvents(queueName: string): Promise<QueueEvents> {
    this.assertOpen()
    let ready = this.queueEvents.get(queueName)
    if (!ready) {
      ready = this.startQueueEvents(queueName)
      this.queueEvents.set(queueName, ready)
      // A failed start is retried by the next waiter instead of being cached.
      ready.catch(() => this.queueEvents.delete(queueName))
    }
    return ready
  }

  private async startQueueEvents(queueName: string): Promise<QueueEvents> {
    const queue = this.getQueue(queueName)
    const { client } = this.options.producerConnection
    const [last] = await this.options.producerConnection.run(`wait for a job of queue '${queueName}'`, () =>
      client.xrevrange(queue.keys.events, '+', '-', 'COUNT', 1)
    )
    this.assertOpen()
    const events = new QueueEvents(queueName, {
      connection: (this.eventsTemplate ??= this.options.clients.create('blocking')),
      prefix: this.options.prefix,
      lastEventId: last?.[0] ?? '0',
    })
    events.on('error', (error) => this.options.logger.error(`BullMQ queue events '${queueName}' error:`, error))
    this.startedQueueEvents.push(events)
    await events.waitUntilReady()
    return events
  }

  private async closeAll(): Promise<void> {
    const closables = [...this.startedQueueEvents, ...this.queues.values()]
    const results = await Promise.allSettled(closables.map((closable) => closeWithin(closable, CLOSE_TIMEOUT_MS)))
    for (const result of results) {
      if (result.status === 'rejected') {
        this.options.logger.error('Error while closing a BullMQ queue:', result.reason)
      }
    }
    if (this.eventsTemplate) await closeRedisClient(this.eventsTemplate)
    await this.options.producerConnection.close()
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('BullQueueService is closed')
  }
}
