import { isSpanContextValid, trace } from '@opentelemetry/api'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type RegistryContentType } from 'prom-client'
import type { Job, Queue, Worker } from 'bullmq'
import { addWorkerListeners } from './worker-listeners.js'
import { withTimeout } from '../connection/with-timeout.js'

/** BullMQ job states reported by `pikku_queue_jobs`. */
export const JOB_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed', 'waiting-children'] as const

/** A scrape reports Redis as down rather than wait longer than this for the job counts. */
const COUNTS_TIMEOUT_MS = 2_000

// Seconds; from a few ms (no-op jobs) to 15 minutes (reports, exports).
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900]

const processRegistries = new Map<RegistryContentType, Registry<RegistryContentType>>()

/**
 * prom-client's default metrics (CPU, memory, event loop lag, GC), collected once per process and
 * exposition format: each collection starts observers that are never stopped.
 */
function processMetrics(contentType: RegistryContentType): Registry<RegistryContentType> {
  let registry = processRegistries.get(contentType)
  if (!registry) {
    registry = new Registry<RegistryContentType>()
    registry.setContentType(contentType)
    collectDefaultMetrics({ register: registry })
    processRegistries.set(contentType, registry)
  }
  return registry
}

export interface QueueMetricsOptions {
  /**
   * Exemplars on the duration histogram: each bucket names the trace of an attempt that fell in it
   * (`trace_id`, `span_id`). They exist only in the OpenMetrics format, which `/metrics` then
   * serves (Prometheus reads it; turn on its `exemplar-storage` feature to keep them). Default: off.
   */
  exemplars?: boolean
}

/**
 * The Prometheus metrics of one worker process. Counters and histograms come
 * from this process's workers' events (sum them across replicas in
 * Prometheus); job counts by state are read from Redis at scrape time, so
 * they are the same in every replica.
 */
export class QueueMetrics {
  readonly registry = new Registry<RegistryContentType>()
  private readonly queues = new Map<string, Queue>()
  private readonly workers = new Map<string, Worker>()
  private readonly inProgress = new Map<string, number>()
  private readonly detachers: Array<() => void> = []

  private readonly completed = new Counter({
    name: 'pikku_queue_jobs_completed_total',
    help: 'Jobs completed by this process',
    labelNames: ['queue'],
    registers: [this.registry],
  })
  private readonly failed = new Counter({
    name: 'pikku_queue_jobs_failed_total',
    help: 'Jobs that failed for good in this process (no attempts left, or not retryable)',
    labelNames: ['queue'],
    registers: [this.registry],
  })
  private readonly retries = new Counter({
    name: 'pikku_queue_job_retries_total',
    help: 'Failed attempts in this process that BullMQ will retry',
    labelNames: ['queue'],
    registers: [this.registry],
  })
  private readonly stalled = new Counter({
    name: 'pikku_queue_jobs_stalled_total',
    help: 'Jobs this process found stalled (their worker stopped renewing the lock) and handed back',
    labelNames: ['queue'],
    registers: [this.registry],
  })
  private readonly duration: Histogram<'queue' | 'status'>
  private readonly exemplars: boolean
  private readonly wait = new Histogram({
    name: 'pikku_queue_job_wait_seconds',
    help: 'Time a job waited in the queue before its first attempt started, counted from when it was due (after any delay)',
    labelNames: ['queue'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  })

  /** `redisReady` tells whether the queues' connection is up, so a scrape during an outage does not wait for it. */
  constructor(private readonly redisReady: () => boolean, options: QueueMetricsOptions = {}) {
    const metrics = this
    this.exemplars = options.exemplars ?? false
    if (this.exemplars) this.registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE)
    this.duration = new Histogram({
      name: 'pikku_queue_job_duration_seconds',
      help: 'Time an attempt ran, from start to completion or failure',
      labelNames: ['queue', 'status'],
      buckets: DURATION_BUCKETS,
      registers: [this.registry],
      enableExemplars: this.exemplars,
    })
    // Both read the same counts, taken once per scrape: each scrape reports the Redis it just read.
    new Gauge({
      name: 'pikku_queue_redis_up',
      help: 'Whether the job counts could be read from Redis at this scrape (1) or not (0)',
      registers: [this.registry],
      async collect() {
        this.set((await metrics.scrapeCounts()) ? 1 : 0)
      },
    })
    new Gauge({
      name: 'pikku_queue_jobs',
      help: 'Jobs in each queue by state, read from Redis at scrape time (absent while Redis is down)',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset()
        for (const [name, byState] of (await metrics.scrapeCounts()) ?? []) {
          for (const state of JOB_STATES) this.set({ queue: name, state }, byState[state] ?? 0)
        }
      },
    })
    new Gauge({
      name: 'pikku_queue_workers_running',
      help: 'Whether this process runs a worker for the queue (1) or not (0)',
      labelNames: ['queue'],
      registers: [this.registry],
      collect() {
        for (const [name, worker] of metrics.workers) this.set({ queue: name }, worker.isRunning() ? 1 : 0)
      },
    })
    new Gauge({
      name: 'pikku_queue_jobs_in_progress',
      help: 'Jobs this process is running right now',
      labelNames: ['queue'],
      registers: [this.registry],
      collect() {
        for (const [name, count] of metrics.inProgress) this.set({ queue: name }, count)
      },
    })
  }

  /** Reports workflow runs by status (`pikku_workflow_runs`), read from Redis at scrape time like the job counts. */
  addWorkflowRuns(countRuns: () => Promise<Record<string, number>>): void {
    new Gauge({
      name: 'pikku_workflow_runs',
      help: 'Workflow runs by status, read from Redis at scrape time (finished ones within retention; absent while Redis is down)',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        this.reset()
        const counts = await withTimeout(countRuns(), COUNTS_TIMEOUT_MS, 'Redis did not answer in time').catch(() => undefined)
        for (const [status, count] of Object.entries(counts ?? {})) this.set({ status }, count)
      },
    })
  }

  private counts: Promise<Array<readonly [string, Record<string, number>]> | undefined> | undefined

  /** Reports the queue's job counts at scrape time. */
  addQueue(name: string, queue: Queue): void {
    this.queues.set(name, queue)
  }

  /** Counts this worker's jobs. Listeners are cheap: a counter or histogram update per event. */
  addWorker(name: string, worker: Worker): void {
    this.workers.set(name, worker)
    this.inProgress.set(name, 0)
    // Label objects made once: the listeners run for every job.
    const labels = { queue: name }
    const completedLabels = { queue: name, status: 'completed' }
    const failedLabels = { queue: name, status: 'failed' }
    // Zero-valued series from the start, so rate() and alerts see them before the first event.
    for (const counter of [this.completed, this.failed, this.retries, this.stalled]) counter.inc(labels, 0)
    const finished = () => this.inProgress.set(name, Math.max(0, (this.inProgress.get(name) ?? 1) - 1))

    this.detachers.push(
      addWorkerListeners(worker, {
        active: (job: Job) => {
          this.inProgress.set(name, (this.inProgress.get(name) ?? 0) + 1)
          if (job.attemptsMade === 0 && job.processedOn) {
            const dueAt = job.timestamp + (job.opts.delay ?? 0)
            this.wait.observe(labels, Math.max(0, job.processedOn - dueAt) / 1000)
          }
        },
        completed: (job: Job) => {
          finished()
          this.completed.inc(labels)
          this.observeDuration(completedLabels, job)
        },
        failed: (job: Job | undefined) => {
          // Typed as optional, but BullMQ 6.7 only emits 'failed' for a job this worker ran.
          if (!job) return
          finished()
          // BullMQ sets finishedOn only when the job fails for good; a retried attempt has none.
          if (job.finishedOn) this.failed.inc(labels)
          else this.retries.inc(labels)
          this.observeDuration(failedLabels, job)
        },
        stalled: () => this.stalled.inc(labels),
      }),
    )
  }

  /** Removes every listener this added to the workers. */
  detach(): void {
    for (const detach of this.detachers.splice(0)) detach()
  }

  /** The exposition of every metric, the process's own included, in {@link contentType}. */
  async metrics(): Promise<string> {
    this.counts = this.readCounts()
    try {
      return await Registry.merge([processMetrics(this.registry.contentType), this.registry] as Registry[]).metrics()
    } finally {
      this.counts = undefined
    }
  }

  /** This scrape's job counts by queue, or undefined when Redis could not be read. */
  private scrapeCounts(): Promise<Array<readonly [string, Record<string, number>]> | undefined> {
    this.counts ??= this.readCounts()
    return this.counts
  }

  private async readCounts(): Promise<Array<readonly [string, Record<string, number>]> | undefined> {
    try {
      if (!this.redisReady()) return undefined
      const read = Promise.all([...this.queues].map(async ([name, queue]) => [name, await queue.getJobCounts(...JOB_STATES)] as const))
      return await withTimeout(read, COUNTS_TIMEOUT_MS, 'Redis did not answer in time')
    } catch {
      // The rest of the scrape (counters, process metrics) is still worth having.
      return undefined
    }
  }

  get contentType(): string {
    return this.registry.contentType
  }

  private observeDuration(labels: { queue: string; status: string }, job: Job): void {
    if (!job.processedOn) return
    const value = Math.max(0, (job.finishedOn ?? Date.now()) - job.processedOn) / 1000
    if (!this.exemplars) return this.duration.observe(labels, value)
    // BullMQ emits 'completed' and 'failed' inside the attempt's process span.
    const span = trace.getActiveSpan()?.spanContext()
    // Typed by prom-client as the metric's own labels, which exemplar labels are not.
    const exemplarLabels: Record<string, string> = span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {}
    this.duration.observe({ labels, value, exemplarLabels })
  }
}
