import { Queue, type Job, type JobType } from 'bullmq'
import { DEFAULT_WORKFLOW_RETENTION_MS, WorkflowRunStore } from '../workflows/workflow-run-store.js'
import { closeRedisClient, connectRedisClient, dataNodes, RedisClientBuilder, type RedisClient } from '../connection/redis-client-builder.js'

/** How long a terminal command waits for Redis before it says it cannot reach it. */
const CONNECT_TIMEOUT_MS = 10_000

/** A mistake the user can fix (unknown queue or job, bad option): printed without a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError'
}

/** Job states a user can list or clean, in the order tables show them. */
export const LISTABLE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed', 'waiting-children'] as const
export type ListableState = (typeof LISTABLE_STATES)[number]
export const CLEANABLE_STATES = ['completed', 'failed', 'delayed', 'waiting', 'prioritized'] as const
export type CleanableState = (typeof CLEANABLE_STATES)[number]

/** Finished jobs per minute are counted over this window of the queue's event stream. */
const RATE_WINDOW_MS = 60_000

export interface QueueStatus {
  queue: string
  paused: boolean
  waiting: number
  active: number
  delayed: number
  completed: number
  failed: number
  /** Jobs completed per minute over the last minute (from the queue's event stream). */
  completedPerMinute: number
  failedPerMinute: number
}

export interface JobSummary {
  id: string
  name: string
  state: string
  attemptsMade: number
  maxAttempts: number
  createdAt: string
  finishedAt: string | null
  failedReason: string | null
}

export interface JobDetails extends JobSummary {
  queue: string
  data: unknown
  result: unknown
  stacktrace: string[]
  progress: unknown
  logs: string[]
  processedAt: string | null
  delayMs: number
  priority: number
}

export interface ScheduleSummary {
  queue: string
  id: string
  jobName: string
  pattern: string | null
  everyMs: number | null
  timezone: string | null
  nextRunAt: string | null
  iterations: number
}

const iso = (ms: number | undefined | null) => (ms ? new Date(ms).toISOString() : null)

/**
 * Reads and changes queues straight in Redis, from any machine that reaches
 * it: the worker server need not run. Queues are found by their BullMQ meta
 * key under the prefix, so it sees every queue any producer or worker made.
 */
export class QueueInspector {
  private readonly redis: RedisClient
  private readonly redactedUrl: string
  private readonly queues = new Map<string, Queue>()
  private queueNames: string[] | undefined

  constructor(
    redisUrl: string,
    readonly prefix: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const clients = clientBuilderOf(redisUrl, prefix, env)
    this.redactedUrl = clients.redactedUrl
    // A terminal command reports an unreachable Redis instead of retrying forever.
    this.redis = clients.create('producer', { oneAttempt: true })
  }

  async connect(): Promise<void> {
    // Without a listener ioredis prints the failure; connectRedisClient reports it.
    this.redis.on('error', () => undefined)
    try {
      await connectRedisClient(this.redis, CONNECT_TIMEOUT_MS)
    } catch (error) {
      const reason = (error as Error).message
      throw new CliError(`Cannot reach Redis at ${this.redactedUrl}: ${reason}. Set REDIS_URL (or --redis-url) to your Redis.`)
    }
  }

  /** The app's workflow runs (read only: retention is the workers' setting). */
  workflows(): WorkflowRunStore {
    return new WorkflowRunStore({ ready: async () => this.redis }, { prefix: this.prefix, retentionMs: DEFAULT_WORKFLOW_RETENTION_MS })
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()))
    await closeRedisClient(this.redis)
  }

  /** Names of every queue under the prefix, sorted; on a Cluster, from every master. */
  async listQueueNames(): Promise<string[]> {
    const names = new Set<string>()
    const pattern = `${this.prefix.replace(/[*?[\]\\]/g, '\\$&')}:*:meta`
    for (const node of dataNodes(this.redis)) {
      let cursor = '0'
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
        for (const key of keys) {
          const name = key.slice(this.prefix.length + 1, -':meta'.length)
          // BullMQ queue names cannot contain ':'; longer keys belong to something else.
          if (name && !name.includes(':')) names.add(name)
        }
        cursor = next
      } while (cursor !== '0')
    }
    this.queueNames = [...names].sort()
    return this.queueNames
  }

  /** The queue, or a CliError that lists the queues that do exist. */
  async queue(name: string): Promise<Queue> {
    const known = this.queueNames ?? (await this.listQueueNames())
    if (!known.includes(name)) {
      const where = `under prefix '${this.prefix}' in ${this.redactedUrl}`
      throw new CliError(
        known.length > 0
          ? `Unknown queue '${name}' ${where}. Queues there: ${known.join(', ')}`
          : `Unknown queue '${name}': there are no queues ${where}. Check REDIS_URL and PIKKU_QUEUE_PREFIX (or --redis-url and --prefix).`
      )
    }
    let queue = this.queues.get(name)
    if (!queue) {
      queue = new Queue(name, { connection: this.redis, prefix: this.prefix })
      this.queues.set(name, queue)
    }
    return queue
  }

  async status(): Promise<QueueStatus[]> {
    const names = await this.listQueueNames()
    return Promise.all(
      names.map(async (name) => {
        const queue = await this.queue(name)
        const [counts, paused, rates] = await Promise.all([
          queue.getJobCounts('wait', 'prioritized', 'waiting-children', 'active', 'delayed', 'completed', 'failed'),
          queue.isPaused(),
          this.finishedPerMinute(queue),
        ])
        return {
          queue: name,
          paused,
          waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0) + (counts['waiting-children'] ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          completed: counts.completed ?? 0,
          failed: counts.failed ?? 0,
          ...rates,
        }
      })
    )
  }

  /** The newest jobs first, of one state or of all. */
  async jobs(queueName: string, state: ListableState | undefined, limit: number): Promise<JobSummary[]> {
    const queue = await this.queue(queueName)
    const states: ListableState[] = state ? [state] : [...LISTABLE_STATES]
    const listed = await queue.getJobs(states as JobType[], 0, limit - 1, false).catch((error: unknown) => {
      throw unreadable(error, `A job in queue '${queueName}'`, `pikku-queues remove ${queueName} <id>`)
    })
    const jobs = listed.filter((job): job is Job => Boolean(job))
    // With several states, each contributes up to `limit`: keep the newest overall.
    jobs.sort((a, b) => b.timestamp - a.timestamp)
    return Promise.all(jobs.slice(0, limit).map(async (job) => summarize(job, await job.getState())))
  }

  async job(queueName: string, jobId: string): Promise<JobDetails> {
    const queue = await this.queue(queueName)
    const job = await this.findJob(queue, jobId)
    const [state, { logs }] = await Promise.all([job.getState(), queue.getJobLogs(jobId)])
    return {
      ...summarize(job, state),
      queue: queueName,
      data: job.data,
      result: job.returnvalue ?? null,
      stacktrace: job.stacktrace ?? [],
      progress: job.progress,
      logs,
      processedAt: iso(job.processedOn),
      delayMs: job.delay ?? 0,
      priority: job.priority ?? 0,
    }
  }

  /** Retries one failed or completed job; returns its id. */
  async retry(queueName: string, jobId: string): Promise<string> {
    const queue = await this.queue(queueName)
    const job = await this.findJob(queue, jobId)
    const state = await job.getState()
    if (state !== 'failed' && state !== 'completed') {
      throw new CliError(`Job '${jobId}' in queue '${queueName}' is ${state}: only failed or completed jobs can be retried`)
    }
    await job.retry(state)
    return jobId
  }

  /** Moves every failed job back to waiting; returns how many. */
  async retryAllFailed(queueName: string): Promise<number> {
    const queue = await this.queue(queueName)
    const count = await queue.getFailedCount()
    if (count > 0) await queue.retryJobs({ state: 'failed' })
    return count
  }

  async remove(queueName: string, jobId: string): Promise<void> {
    const queue = await this.queue(queueName)
    const job = await this.findJob(queue, jobId).catch(async (error: unknown) => {
      // A job BullMQ cannot read can still be removed: the removal never parses it.
      if (error instanceof UnreadableJobError && (await queue.remove(jobId)) === 1) return undefined
      throw error
    })
    if (job && (await queue.remove(job.id!)) === 0) {
      const state = await job.getState()
      throw new CliError(`Job '${jobId}' in queue '${queueName}' was not removed: it is ${state}${state === 'active' ? ' (a worker holds its lock); try again once it finishes' : ''}`)
    }
  }

  /** Removes jobs of a state older than `graceMs`, at most `limit` (0: all); returns their ids. */
  async clean(queueName: string, state: CleanableState, graceMs: number, limit: number): Promise<string[]> {
    const queue = await this.queue(queueName)
    return queue.clean(graceMs, limit, state === 'waiting' ? 'wait' : state)
  }

  async pause(queueName: string): Promise<void> {
    await (await this.queue(queueName)).pause()
  }

  async resume(queueName: string): Promise<void> {
    await (await this.queue(queueName)).resume()
  }

  /** Job schedulers (cron or interval) of every queue, or of one. */
  async schedules(queueName?: string): Promise<ScheduleSummary[]> {
    const names = queueName ? [(await this.queue(queueName)).name] : await this.listQueueNames()
    const perQueue = await Promise.all(
      names.map(async (name) => {
        const schedulers = await (await this.queue(name)).getJobSchedulers(0, -1, true)
        return schedulers.map(
          (scheduler): ScheduleSummary => ({
            queue: name,
            id: scheduler.id ?? scheduler.key,
            jobName: scheduler.name,
            pattern: scheduler.pattern ?? null,
            everyMs: scheduler.every ?? null,
            timezone: scheduler.tz ?? null,
            nextRunAt: iso(scheduler.next),
            iterations: scheduler.iterationCount ?? 0,
          })
        )
      })
    )
    return perQueue.flat()
  }

  private async findJob(queue: Queue, jobId: string): Promise<Job> {
    const job = await queue.getJob(jobId).catch((error: unknown) => {
      throw unreadable(error, `Job '${jobId}' in queue '${queue.name}'`, `pikku-queues remove ${queue.name} ${jobId}`)
    })
    if (!job) {
      throw new CliError(`No job '${jobId}' in queue '${queue.name}': it never existed, or removeOnComplete/removeOnFail or a clean removed it`)
    }
    return job
  }

  /**
   * Counts the 'completed' and 'failed' events of the last minute in the
   * queue's event stream. BullMQ caps the stream (about 10,000 events), so
   * above that many events a minute the counts are lower bounds.
   */
  private async finishedPerMinute(queue: Queue): Promise<Pick<QueueStatus, 'completedPerMinute' | 'failedPerMinute'>> {
    const entries = (await this.redis.xrange(queue.keys.events!, String(Date.now() - RATE_WINDOW_MS), '+')) as Array<[string, string[]]>
    let completedPerMinute = 0
    let failedPerMinute = 0
    for (const [, fields] of entries) {
      if (fields[1] === 'completed') completedPerMinute++
      else if (fields[1] === 'failed') failedPerMinute++
    }
    return { completedPerMinute, failedPerMinute }
  }
}

function summarize(job: Job, state: string): JobSummary {
  return {
    id: job.id!,
    name: job.name,
    state,
    attemptsMade: job.attemptsMade,
    maxAttempts: Math.max(1, job.opts.attempts ?? 1),
    createdAt: iso(job.timestamp)!,
    finishedAt: iso(job.finishedOn),
    failedReason: job.failedReason || null,
  }
}

/** The URL's client builder; a URL that does not parse, or a prefix the Cluster cannot use, is a CliError (its message hides the password). */
function clientBuilderOf(redisUrl: string, prefix: string, env: NodeJS.ProcessEnv): RedisClientBuilder {
  try {
    const clients = new RedisClientBuilder(redisUrl, {}, env)
    clients.assertPrefixFits(prefix)
    return clients
  } catch (error) {
    throw new CliError(`${(error as Error).message}. Set REDIS_URL (or --redis-url) to your Redis.`)
  }
}

/** A job whose stored fields are not all JSON (a poison job no worker has quarantined yet). */
class UnreadableJobError extends CliError {}

function unreadable(error: unknown, what: string, removal: string): unknown {
  if (!(error instanceof SyntaxError)) return error
  return new UnreadableJobError(
    `${what} cannot be read: a stored field is not JSON (${error.message}). A running worker fails such a job once and keeps the value in its pikkuRaw:* field; \`${removal}\` deletes it`,
  )
}
