// Adds what pikku-bullmq understands to @pikku/core's queue types, so it type-checks
// wherever the core types are used (wirings, the typed producer, wire.queue) once
// this package is imported anywhere in the program.
import type { JobsOptions, MinimalJob, WorkerOptions } from 'bullmq'

/**
 * A custom retry delay, declared on a wiring under `config.backoffStrategies`
 * and chosen per job with `backoff: { type: '<name>', delay }`. Returns the
 * milliseconds to wait before the next attempt, or -1 to stop retrying.
 */
export type BackoffStrategy = (context: {
  /** Attempts made so far, including the one that just failed (1 after the first). */
  attemptsMade: number
  /** The job's `backoff.delay`, if it gave one. */
  delay: number | undefined
  error: Error
  job: MinimalJob
}) => number

/** Job options a wiring can set for every job added to its queue; each job may override them. */
export interface JobDefaults {
  attempts?: number
  backoff?: string | { type: string; delay?: number }
  /** Higher runs first, as in `JobOptions.priority`. */
  priority?: number
  /** Completed jobs to keep (count), when the job is added. */
  removeOnComplete?: number
  /** Failed jobs to keep (count), when the job is added. */
  removeOnFail?: number
}

declare module '@pikku/core/queue' {
  interface PikkuQueue {
    /**
     * Aborted when this attempt times out (`timeout`), is cancelled, or the
     * worker is force-closed at shutdown. Pass it to fetch, database drivers,
     * or check `signal.aborted` between steps.
     */
    signal?: AbortSignal
    /** This attempt's number: 1 for the first try, 2 for the first retry, and so on. */
    attempt: number
    /** How many tries the job gets in all, the first included (its `attempts` option, default 1). */
    maxAttempts: number
    /** Appends a line to the job's own log in Redis (BullMQ's `job.log`), shown by the dashboard and `pikku-queues job`. */
    log: (line: string) => Promise<void>
    /**
     * The results of this job's children, by child job key (`<prefix>:<queue>:<id>`), when it is the
     * parent of a BullMQ flow (`FlowProducer`): a parent runs once every child has completed.
     */
    getChildrenValues: <T = unknown>() => Promise<Record<string, T>>
  }

  interface PikkuWorkerConfig {
    /**
     * Milliseconds an attempt may run. Past it the attempt fails with a
     * timeout error (and is retried if attempts remain) and
     * `wire.queue.signal` is aborted. A job's own `timeout` wins. Default: none.
     */
    timeout?: number
    /**
     * At most `max` jobs per `duration` ms, counted across every worker of
     * the queue (BullMQ's limiter). Default: no limit.
     */
    limiter?: { max: number; duration: number }
    /** Options applied to every job added to this queue by pikku-bullmq; the job's own options win. */
    jobDefaults?: JobDefaults
    /** Named retry delays that jobs of this queue may use as `backoff.type`. */
    backoffStrategies?: Record<string, BackoffStrategy>
    /**
     * Raw BullMQ WorkerOptions for what this config does not name
     * (`stalledInterval`, `lockRenewTime`, `metrics`, `telemetry`…); applied
     * last, so they win over everything except the connection and prefix.
     */
    bullmq?: Partial<Omit<WorkerOptions, 'connection' | 'prefix'>>
  }

  interface JobOptions {
    /** Milliseconds this job's attempts may run; wins over the wiring's `timeout`. */
    timeout?: number
    /**
     * Adds nothing while a job with the same `id` exists (or, with `ttl`,
     * for `ttl` ms after the first was added). BullMQ deduplication.
     */
    deduplication?: { id: string; ttl?: number }
    /** Run this job before the others waiting (last in, first out). */
    lifo?: boolean
    /** Raw BullMQ JobsOptions for what these options do not name; applied last. */
    bullmq?: Partial<JobsOptions>
  }
}
