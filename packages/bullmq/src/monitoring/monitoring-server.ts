import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { Queue } from 'bullmq'
import type { RedisOptions } from 'ioredis'
import type { Logger } from '@pikku/core/services'
import type { BullQueueWorkers } from '../workers/bull-queue-workers.js'
import type { BullSchedulerService } from '../scheduler/bull-scheduler-service.js'
import { closeRedisClient, connectRedisClient, RedisClientBuilder } from '../connection/redis-client-builder.js'
import { DEFAULT_REDIS_URL } from '../connection/redis-url.js'
import { createDashboardRouter, DASHBOARD_PATH } from './dashboard.js'
import { ownHostNames, requireOwnHost } from './allowed-hosts.js'
import { isLoopbackHost, limitFailedLogins, requireBasicAuth, weakPasswordReason } from './dashboard-auth.js'
import type { BullWorkflowService } from '../workflows/bull-workflow-service.js'
import { QueueMetrics } from './queue-metrics.js'
import { hasRegisteredTracerProvider } from '../tracing/bullmq-telemetry.js'
import { DEFAULT_STUCK_AFTER_MS, ReadinessTracker } from './readiness.js'

export const DEFAULT_MONITORING_HOST = '127.0.0.1'
export const DEFAULT_MONITORING_PORT = 3001
export const DEFAULT_METRICS_CACHE_MS = 1_000
/** How long start-up waits for Redis before it goes on (then /readyz reports it). */
const CONNECT_TIMEOUT_MS = 2_000

export interface DashboardOptions {
  /** Serve Bull Board at /admin/queues. Default: true */
  enabled?: boolean
  /** Basic-auth user. Default: process.env.DASHBOARD_USERNAME */
  username?: string
  /** Basic-auth password. Default: process.env.DASHBOARD_PASSWORD */
  password?: string
  /**
   * Allow retry, remove, promote, clean, pause and other writes from the board.
   * Default: process.env.DASHBOARD_WRITE_ACTIONS === 'true' (read-only otherwise)
   */
  writeActions?: boolean
  /** Header title. Default: 'Queues' */
  title?: string
  /**
   * Host names, besides this machine's own names and addresses, by which browsers may open the
   * dashboard (a DNS name or load balancer in front of it); other Host headers get 421.
   * Default: process.env.DASHBOARD_ALLOWED_HOSTS, comma-separated
   */
  allowedHosts?: string[]
}

export interface MonitoringServerOptions {
  /** The queues to report on and show, usually every wired queue. */
  queueNames: string[]
  /** This process's workers; readiness and the per-process metrics follow them. */
  queueWorkers: BullQueueWorkers
  /** The scheduler, when this process runs `wireScheduler` ticks: its queue is shown and watched like the others. */
  scheduler?: BullSchedulerService
  /** Same Redis as the factory. Default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' */
  redisUrl?: string
  /** Extra ioredis options, as for the factory. */
  connection?: RedisOptions
  /** BullMQ key prefix, as for the factory. Default: process.env.PIKKU_QUEUE_PREFIX ?? 'bull' */
  prefix?: string
  /**
   * Interface to listen on. Anything but loopback requires dashboard
   * credentials (or the dashboard disabled).
   * Default: process.env.MONITORING_HOST ?? '127.0.0.1'
   */
  host?: string
  /**
   * Port; 0 picks a free one. Default: process.env.MONITORING_PORT, else 3001,
   * or a free port if 3001 is taken (a port you set must be free, or start fails).
   */
  port?: number
  dashboard?: DashboardOptions
  /**
   * `/readyz` fails when a job has been due this long while this process's
   * idle worker started and finished nothing (several of BullMQ's 5 s drain
   * intervals). Default: 30000 ms
   */
  stuckAfterMs?: number
  /**
   * `/metrics` is rendered at most once per this many ms; scrapes in between
   * get the last rendering (Prometheus scrapes every 15 s by default).
   * Default: 1000 ms
   */
  metricsCacheMs?: number
  /**
   * Trace exemplars on `pikku_queue_job_duration_seconds`, with `/metrics` in the OpenMetrics
   * format (see QueueMetricsOptions). Default: on when a tracer provider is registered.
   */
  exemplars?: boolean
  /**
   * The workflow service, when this process runs workflows: run counts by status in `/metrics`
   * (`pikku_workflow_runs`), recent runs at `/workflows` and one run's steps at `/workflows/<runId>`
   * (JSON, behind the dashboard's credentials when it has some).
   */
  workflows?: Pick<BullWorkflowService, 'countRuns' | 'listRuns' | 'getRunStatus'>
  logger: Logger
}

export interface MonitoringServer {
  /** e.g. `http://127.0.0.1:3001` */
  readonly url: string
  readonly port: number
  /** Makes `/readyz` fail from now on; also happens when a worker starts closing. */
  beginShutdown(): void
  /** Stops the HTTP server and closes its Redis connection. Safe to call twice. */
  close(): Promise<void>
}

/**
 * One small HTTP server in the worker process: `/healthz` (liveness, never
 * touches Redis), `/readyz`, `/metrics` (Prometheus) and the Bull Board
 * dashboard at `/admin/queues` (read-only unless write actions are enabled).
 * Refuses to start when the dashboard would be reachable beyond loopback
 * without credentials.
 */
export async function startMonitoringServer(options: MonitoringServerOptions): Promise<MonitoringServer> {
  const host = options.host ?? process.env.MONITORING_HOST ?? DEFAULT_MONITORING_HOST
  const fromEnv = process.env.MONITORING_PORT || undefined
  const chosenPort = options.port ?? (fromEnv === undefined ? undefined : /^\s*\d+\s*$/.test(fromEnv) ? Number(fromEnv) : Number.NaN)
  const port = chosenPort ?? DEFAULT_MONITORING_PORT
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    const given = options.port === undefined && fromEnv !== undefined ? `MONITORING_PORT=${JSON.stringify(fromEnv)}` : `port ${String(options.port)}`
    throw new Error(`Invalid monitoring ${given}: expected a whole number from 0 to 65535`)
  }
  const dashboard = {
    enabled: options.dashboard?.enabled ?? true,
    username: options.dashboard?.username ?? process.env.DASHBOARD_USERNAME,
    password: options.dashboard?.password ?? process.env.DASHBOARD_PASSWORD,
    writeActions: options.dashboard?.writeActions ?? process.env.DASHBOARD_WRITE_ACTIONS === 'true',
    title: options.dashboard?.title ?? 'Queues',
    allowedHosts: options.dashboard?.allowedHosts ?? (process.env.DASHBOARD_ALLOWED_HOSTS ?? '').split(',').map((name) => name.trim()).filter(Boolean),
  }
  const credentials = dashboard.username && dashboard.password ? { username: dashboard.username, password: dashboard.password } : undefined
  if (Boolean(dashboard.username) !== Boolean(dashboard.password)) {
    throw new Error('Dashboard credentials are incomplete: set both DASHBOARD_USERNAME and DASHBOARD_PASSWORD (dashboard.username and dashboard.password), or neither')
  }
  if (dashboard.enabled && !credentials && !isLoopbackHost(host)) {
    throw new Error(
      `Refusing to start the monitoring server on ${host}: the dashboard would be reachable from other machines without a password. ` +
        'Set DASHBOARD_USERNAME and DASHBOARD_PASSWORD, or listen on 127.0.0.1 (MONITORING_HOST), or turn the dashboard off (DASHBOARD_ENABLED=false)'
    )
  }
  const weakness = dashboard.enabled && credentials && !isLoopbackHost(host) ? weakPasswordReason(credentials.password) : undefined
  if (weakness) {
    throw new Error(
      `Refusing to start the monitoring server on ${host}: DASHBOARD_PASSWORD is too weak for a dashboard other machines can reach (${weakness}). ` +
        'Use a long random password (e.g. `openssl rand -base64 24`), or listen on 127.0.0.1'
    )
  }

  const clients = new RedisClientBuilder(options.redisUrl ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL, options.connection)
  const prefix = options.prefix ?? process.env.PIKKU_QUEUE_PREFIX ?? 'bull'
  clients.assertPrefixFits(prefix)
  // One fail-fast connection shared by every queue handle here: a scrape or probe
  // during a Redis outage gets an error at once instead of hanging.
  const redis = clients.create('producer')
  redis.on('error', () => {
    // Reported by /readyz and /metrics; ioredis reconnects by itself.
  })
  await connectRedisClient(redis, CONNECT_TIMEOUT_MS).catch(() => {
    // Not fatal: Redis may blip while the worker starts; /readyz says so until it is back.
  })
  const queueNames = options.scheduler ? [...options.queueNames, options.scheduler.queueName] : options.queueNames
  const workerFor = (name: string) => (name === options.scheduler?.queueName ? options.scheduler.getWorker() : options.queueWorkers.getWorker(name))
  const queues = queueNames.map((name) => {
    const queue = new Queue(name, { connection: redis, prefix })
    queue.on('error', () => {
      // Connection errors: reported by /readyz and /metrics.
    })
    return queue
  })

  const metrics = new QueueMetrics(() => redis.status === 'ready', { exemplars: options.exemplars ?? hasRegisteredTracerProvider() })
  const readiness = new ReadinessTracker(redis, { prefix, stuckAfterMs: options.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS, probeNode: clients.singleNode })
  queueNames.forEach((name, index) => {
    const worker = workerFor(name)
    metrics.addQueue(name, queues[index]!)
    if (worker) metrics.addWorker(name, worker)
    readiness.addQueue(name, queues[index]!, worker)
  })

  const app = express()
  app.disable('x-powered-by')
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) })
  })
  app.get('/readyz', async (_req, res) => {
    const result = await readiness.check()
    if (result.ready) res.json({ status: 'ready' })
    else res.status(503).json({ status: 'not ready', reasons: result.reasons })
  })
  const metricsCacheMs = options.metricsCacheMs ?? DEFAULT_METRICS_CACHE_MS
  let rendered: { at: number; text: Promise<string> } | undefined
  app.get('/metrics', async (_req, res) => {
    // Concurrent and too-frequent scrapes share one rendering, so no scraper can load the worker.
    if (!rendered || Date.now() - rendered.at >= metricsCacheMs) rendered = { at: Date.now(), text: metrics.metrics() }
    res.type(metrics.contentType).send(await rendered.text)
  })
  const { workflows } = options
  if (workflows) {
    metrics.addWorkflowRuns(() => workflows.countRuns())
    if (credentials) app.use('/workflows', limitFailedLogins(), requireBasicAuth(credentials))
    app.get('/workflows', async (_req, res) => {
      try {
        const [counts, runs] = await Promise.all([workflows.countRuns(), workflows.listRuns({ limit: 50 })])
        res.json({
          counts,
          runs: runs.map(({ id, workflow, status, createdAt, updatedAt, error }) => ({ id, workflow, status, createdAt, updatedAt, error: error?.message })),
        })
      } catch (error) {
        res.status(503).json({ error: `Workflow runs cannot be read: ${error instanceof Error ? error.message : String(error)}` })
      }
    })
    app.get('/workflows/:runId', async (req, res) => {
      try {
        const status = await workflows.getRunStatus(req.params.runId)
        if (status) res.json(status)
        else res.status(404).json({ error: `No workflow run ${req.params.runId} (never started, or removed by retention)` })
      } catch (error) {
        res.status(503).json({ error: `Workflow run cannot be read: ${error instanceof Error ? error.message : String(error)}` })
      }
    })
  }
  if (dashboard.enabled) {
    app.use(DASHBOARD_PATH, requireOwnHost(ownHostNames(host, dashboard.allowedHosts)))
    if (credentials) app.use(DASHBOARD_PATH, limitFailedLogins(), requireBasicAuth(credentials))
    app.use(DASHBOARD_PATH, createDashboardRouter({ queues, writeActions: dashboard.writeActions, title: dashboard.title }))
  }

  let server: Server
  try {
    server = await listen(app, host, port).catch((error: NodeJS.ErrnoException) => {
      // A port the user chose must be free; the default may be taken by a second local worker server.
      if (chosenPort !== undefined || (error.cause as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE') throw error
      options.logger.warn(`Monitoring port ${port} is taken; using a free port instead (set MONITORING_PORT to choose one)`)
      return listen(app, host, 0)
    })
  } catch (error) {
    await Promise.all(queues.map((queue) => queue.close()))
    await closeRedisClient(redis)
    throw error
  }
  const address = server.address() as AddressInfo
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
  const dashboardNote = dashboard.enabled
    ? `, dashboard ${url}${DASHBOARD_PATH} (${dashboard.writeActions ? 'write actions on' : 'read-only'}, ${credentials ? 'password required' : 'no password: loopback only'})`
    : ''
  options.logger.info(`Monitoring on ${url}: /healthz, /readyz, /metrics${dashboardNote}`)

  let closing: Promise<void> | undefined
  return {
    url,
    port: address.port,
    beginShutdown: () => readiness.beginShutdown(),
    close: () => {
      readiness.beginShutdown()
      closing ??= (async () => {
        metrics.detach()
        readiness.detach()
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          // Keep-alive connections (Prometheus, browsers) would hold close() open.
          server.closeAllConnections()
        })
        await Promise.all(queues.map((queue) => queue.close()))
        await closeRedisClient(redis)
      })()
      return closing
    },
  }
}

function listen(app: express.Express, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host)
    server.once('listening', () => resolve(server))
    server.once('error', (error: NodeJS.ErrnoException) => {
      const hint = error.code === 'EADDRINUSE' ? ` (port ${port} is taken: set MONITORING_PORT to another port)` : ''
      reject(new Error(`Monitoring server could not listen on ${host}:${port}: ${error.message}${hint}`, { cause: error }))
    })
  })
}
