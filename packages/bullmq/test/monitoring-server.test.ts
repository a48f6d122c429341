import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { hostname } from 'node:os'
import { Queue, Worker } from 'bullmq'
import { DEFAULT_MONITORING_PORT, startMonitoringServer, type BullQueueWorkers, type BullServiceFactory, type MonitoringServer, type MonitoringServerOptions } from '../src/index.js'
import { createFactory, deferred, deleteKeys, REDIS_URL, setupPikku, sleep, startOwnRedis, uniquePrefix, waitFor, withRedis } from './helpers.js'

// Flipped by tests: a failed job retried from the dashboard then completes.
let failFlakyJobs = true

const logger = setupPikku({
  reports: { func: async (_services, data: { n: number }) => ({ doubled: data.n * 2 }) },
  // Long-polls for 60 s when idle; see the stuck-queue test.
  sleepy: { func: async () => 'slept', config: { drainDelay: 60 } },
  flaky: {
    func: async () => {
      if (failFlakyJobs) throw new Error('flaky failed on purpose')
      return 'flaky recovered'
    },
  },
})

const PASSWORD = 's3cret-dashboard-pass'
const prefix = uniquePrefix('monitoring')
let factory: BullServiceFactory
let reports: Queue
let flaky: Queue
let failedJobId: string

const servers: MonitoringServer[] = []
async function startServer(overrides: Partial<MonitoringServerOptions> = {}): Promise<MonitoringServer> {
  const server = await startMonitoringServer({
    queueNames: ['reports', 'flaky'],
    queueWorkers: factory.getQueueWorkers(),
    redisUrl: REDIS_URL,
    prefix,
    host: '127.0.0.1',
    port: 0,
    // Every scrape renders afresh, so counters can be read right after a job.
    metricsCacheMs: 0,
    logger,
    ...overrides,
    dashboard: { username: '', password: '', writeActions: false, ...overrides.dashboard },
  })
  servers.push(server)
  return server
}

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` })

async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { headers })
  return { status: response.status, body: await response.json() }
}

before(async () => {
  factory = createFactory(prefix, logger)
  await factory.init()
  await factory.getQueueWorkers().registerQueues()
  reports = new Queue('reports', { connection: { url: REDIS_URL }, prefix })
  flaky = new Queue('flaky', { connection: { url: REDIS_URL }, prefix })
  // Known contents: 2 completed and 1 delayed in 'reports'; in 'flaky' one retried
  // attempt then a final failure.
  const done = await Promise.all([reports.add('r', { n: 1 }), reports.add('r', { n: 2 })])
  await reports.add('r', { n: 3 }, { delay: 3_600_000 })
  const failed = await flaky.add('f', {}, { attempts: 2 })
  failedJobId = failed.id!
  await waitFor(async () => (await reports.getCompletedCount()) === 2 && (await flaky.getFailedCount()) === 1, 'the known jobs to finish')
  assert.equal(done.length, 2)
})

after(async () => {
  await Promise.all(servers.map((server) => server.close()))
  await factory.close()
  await Promise.all([reports.close(), flaky.close()])
  await deleteKeys(prefix)
})

describe('health, readiness and metrics', { timeout: 30_000 }, () => {
  test('/healthz answers 200 without touching Redis, even when Redis is unreachable', async () => {
    const server = await startServer({ redisUrl: 'redis://127.0.0.1:1' })
    const health = await getJson(`${server.url}/healthz`)
    assert.equal(health.status, 200)
    assert.equal(health.body.status, 'ok')
    const ready = await getJson(`${server.url}/readyz`)
    assert.equal(ready.status, 503)
    assert.match(ready.body.reasons.join('\n'), /Redis does not answer/)
    // Metrics still answer, saying Redis is down and without job counts.
    const metrics = await fetch(`${server.url}/metrics`)
    assert.equal(metrics.status, 200)
    const text = await metrics.text()
    assert.match(text, /^pikku_queue_redis_up 0$/m)
    assert.doesNotMatch(text, /^pikku_queue_jobs\{/m)
    assert.match(text, /^process_cpu_user_seconds_total \d/m)
    await server.close()
  })

  test('pikku_queue_redis_up reports the Redis each scrape read: 1 on the first scrape, 0 on the first after Redis died', async () => {
    const own = await startOwnRedis()
    try {
      const server = await startServer({ redisUrl: own.url })
      const first = await (await fetch(`${server.url}/metrics`)).text()
      assert.match(first, /^pikku_queue_jobs\{queue="reports",state="waiting"\} 0$/m)
      assert.match(first, /^pikku_queue_redis_up 1$/m)
      await own.stop()
      await waitFor(async () => !/^pikku_queue_jobs\{/m.test(await (await fetch(`${server.url}/metrics`)).text()), 'a scrape without job counts')
      const down = await (await fetch(`${server.url}/metrics`)).text()
      assert.match(down, /^pikku_queue_redis_up 0$/m, 'the scrape that has no counts says Redis is down')
      await own.restart()
      await waitFor(async () => /^pikku_queue_jobs\{/m.test(await (await fetch(`${server.url}/metrics`)).text()), 'job counts again')
      // Counts and the flag come from one read: whenever counts are present, Redis is up.
      for (let i = 0; i < 5; i++) {
        const text = await (await fetch(`${server.url}/metrics`)).text()
        assert.equal(/^pikku_queue_jobs\{/m.test(text), /^pikku_queue_redis_up 1$/m.test(text), text)
      }
      await server.close()
    } finally {
      await own.stop()
    }
  })

  test('/readyz is 200 when Redis answers and every worker runs, 503 with a reason once shutdown begins', async () => {
    const server = await startServer()
    assert.deepEqual(await getJson(`${server.url}/readyz`), { status: 200, body: { status: 'ready' } })
    server.beginShutdown()
    assert.deepEqual(await getJson(`${server.url}/readyz`), { status: 503, body: { status: 'not ready', reasons: ['shutting down'] } })
    await server.close()
  })

  test('/readyz is 503 for a queue with no worker in this process', async () => {
    const server = await startServer({ queueNames: ['reports', 'not-wired'] })
    const ready = await getJson(`${server.url}/readyz`)
    assert.equal(ready.status, 503)
    assert.deepEqual(ready.body.reasons, ["queue 'not-wired' has no worker in this process"])
    await server.close()
  })

  test('/readyz is 503 while due jobs do not move, and ready again once they do; a paused queue is not stuck', async () => {
    const server = await startServer({ queueNames: ['sleepy'], stuckAfterMs: 400 })
    const sleepy = new Queue('sleepy', { connection: { url: REDIS_URL }, prefix })
    try {
      // A job in the wait list without BullMQ's wake-up marker leaves the idle worker blocked
      // until its 60 s drainDelay ends: running, connected, and not taking the job, which is
      // what a worker with a wedged blocking connection looks like (BullMQ #4585).
      await sleepy.pause()
      const job = await sleepy.add('s', {})
      await withRedis((redis) => redis.hdel(`${prefix}:sleepy:meta`, 'paused'))
      const stuck = await waitFor(async () => {
        const ready = await getJson(`${server.url}/readyz`)
        return ready.status === 503 ? ready : undefined
      }, '/readyz to report the stuck queue')
      assert.equal(stuck.body.reasons.length, 1)
      assert.match(stuck.body.reasons[0], /^queue 'sleepy' has 1 waiting job\(s\), the oldest due \d+ s ago, and this worker has not started or finished a job for \d+ s$/)
      assert.equal(await job.getState(), 'waiting')

      // Paused on purpose (the terminal view's `pause`): a backlog, but not a fault.
      await sleepy.pause()
      assert.equal((await getJson(`${server.url}/readyz`)).status, 200)
      // resume() writes the marker, which wakes the worker.
      await sleepy.resume()
      await waitFor(async () => (await job.isCompleted()) && (await getJson(`${server.url}/readyz`)).status === 200, 'the job to run and /readyz to recover')
    } finally {
      await sleepy.close()
      await server.close()
    }
  })

  test('/metrics reports jobs by queue and state, completions, failures, retries, durations, wait times, workers and process metrics', async () => {
    const server = await startServer()
    const response = await fetch(`${server.url}/metrics`)
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/)
    const text = await response.text()
    const sample = (name: string, labels: string) => {
      const line = text.split('\n').find((row) => row.startsWith(`${name}{${labels}}`))
      assert.ok(line, `${name}{${labels}} is missing from /metrics`)
      return Number(line.split(' ').at(-1))
    }
    // Other tests in this file add and complete jobs in 'reports', so counts there are lower bounds.
    assert.ok(sample('pikku_queue_jobs', 'queue="reports",state="completed"') >= 2)
    assert.equal(sample('pikku_queue_jobs', 'queue="reports",state="delayed"'), 1)
    assert.equal(sample('pikku_queue_jobs', 'queue="flaky",state="failed"'), 1)
    assert.equal(sample('pikku_queue_jobs', 'queue="flaky",state="waiting"'), 0)
    assert.ok(sample('pikku_queue_workers_running', 'queue="reports"') === 1)
    assert.equal(sample('pikku_queue_jobs_in_progress', 'queue="reports"'), 0)
    // Event counters start at the server's start: run one more job of each kind now.
    const completed = await reports.add('r', { n: 4 })
    const failed = await flaky.add('f', {}, { attempts: 2 })
    await waitFor(async () => (await completed.isCompleted()) && (await failed.isFailed()), 'the jobs to finish')
    const after = await (await fetch(`${server.url}/metrics`)).text()
    const sampleAfter = (name: string, labels: string) => Number(after.split('\n').find((row) => row.startsWith(`${name}{${labels}}`))?.split(' ').at(-1))
    assert.equal(sampleAfter('pikku_queue_jobs_completed_total', 'queue="reports"'), 1)
    assert.equal(sampleAfter('pikku_queue_jobs_failed_total', 'queue="flaky"'), 1)
    assert.equal(sampleAfter('pikku_queue_job_retries_total', 'queue="flaky"'), 1)
    assert.equal(sampleAfter('pikku_queue_jobs_stalled_total', 'queue="reports"'), 0)
    assert.equal(sampleAfter('pikku_queue_job_duration_seconds_count', 'queue="reports",status="completed"'), 1)
    assert.equal(sampleAfter('pikku_queue_job_duration_seconds_count', 'queue="flaky",status="failed"'), 2)
    assert.equal(sampleAfter('pikku_queue_job_wait_seconds_count', 'queue="reports"'), 1)
    assert.match(after, /^pikku_queue_redis_up 1$/m)
    assert.match(after, /^process_cpu_user_seconds_total \d/m)
    assert.match(after, /^nodejs_eventloop_lag_seconds \d/m)
    await server.close()
  })
})

test('a job whose worker died is counted as stalled by the worker that recovers it', { timeout: 30_000 }, async () => {
  const connection = { url: REDIS_URL, maxRetriesPerRequest: null }
  const stallPrefix = `${prefix}-stall`
  const started = deferred()
  // Worker A takes the job and is force-closed mid-job, as when its process dies: the job stays
  // active with a lock nobody renews. Its short stalledInterval matters too: a stalled check
  // holds off every other worker's for that long.
  const dying = new Worker(
    'stalls',
    async () => {
      started.resolve()
      await sleep(10_000)
    },
    { connection, prefix: stallPrefix, lockDuration: 500, stalledInterval: 300 },
  )
  const queue = new Queue('stalls', { connection: { url: REDIS_URL }, prefix: stallPrefix })
  await queue.add('s', {})
  await started.promise
  await dying.close(true)
  // Worker B, watched by the server, checks for stalled jobs every 300 ms.
  const recovering = new Worker('stalls', async () => 'recovered', { connection, prefix: stallPrefix, stalledInterval: 300 })
  const server = await startServer({ queueNames: ['stalls'], queueWorkers: { getWorker: () => recovering } as unknown as BullQueueWorkers })
  try {
    const stalled = await waitFor(async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text()
      return /^pikku_queue_jobs_stalled_total\{queue="stalls"\} 1$/m.test(text) ? text : undefined
    }, 'the stall to be counted', 10_000)
    assert.match(stalled, /^pikku_queue_jobs_stalled_total\{queue="stalls"\} 1$/m)
    await waitFor(async () => (await queue.getCompletedCount()) === 1, 'the recovered job to complete')
  } finally {
    await server.close()
    await recovering.close()
    await queue.close()
    await deleteKeys(stallPrefix)
  }
})

test('scrapes within metricsCacheMs share one rendering', { timeout: 30_000 }, async () => {
  const server = await startServer({ metricsCacheMs: 60_000 })
  const first = await (await fetch(`${server.url}/metrics`)).text()
  const job = await reports.add('r', { n: 5 })
  await waitFor(() => job.isCompleted(), 'the job to complete')
  assert.equal(await (await fetch(`${server.url}/metrics`)).text(), first)
  await server.close()
  const fresh = await startServer({ metricsCacheMs: 0 })
  const job2 = await reports.add('r', { n: 6 })
  await waitFor(() => job2.isCompleted(), 'the job to complete')
  assert.match(await (await fetch(`${fresh.url}/metrics`)).text(), /^pikku_queue_jobs_completed_total\{queue="reports"\} 1$/m)
  await fresh.close()
})

describe('port', { timeout: 30_000 }, () => {
  test('a MONITORING_PORT that is not a port is refused with the value it had', async () => {
    const previous = process.env.MONITORING_PORT
    process.env.MONITORING_PORT = 'abc'
    try {
      await assert.rejects(startServer({ port: undefined }), /^Error: Invalid monitoring MONITORING_PORT="abc": expected a whole number from 0 to 65535$/)
      await assert.rejects(startServer({ port: 70_000 }), /Invalid monitoring port 70000: expected a whole number from 0 to 65535/)
    } finally {
      if (previous === undefined) delete process.env.MONITORING_PORT
      else process.env.MONITORING_PORT = previous
    }
  })

  test('a port you choose must be free; the default port falls back to a free one with a warning', async () => {
    const first = await startServer()
    await assert.rejects(startServer({ port: first.port }), new RegExp(`could not listen on 127\\.0\\.0\\.1:${first.port}: .*port ${first.port} is taken: set MONITORING_PORT`))

    // Hold the default port (or find it held by someone else: taken either way).
    const holder = createServer()
    await new Promise<void>((resolve) => holder.once('error', () => resolve()).listen(DEFAULT_MONITORING_PORT, '127.0.0.1', () => resolve()))
    try {
      delete process.env.MONITORING_PORT
      const fallback = await startServer({ port: undefined })
      assert.notEqual(fallback.port, DEFAULT_MONITORING_PORT)
      assert.equal((await fetch(`${fallback.url}/healthz`)).status, 200)
      assert.equal(logger.matching('warn', new RegExp(`Monitoring port ${DEFAULT_MONITORING_PORT} is taken; using a free port instead`)).length, 1)
      await fallback.close()
    } finally {
      holder.close()
    }
    await first.close()
  })
})

describe('dashboard', { timeout: 30_000 }, () => {
  test('lists the queues and the failed job with its error on loopback without a password', async () => {
    const server = await startServer()
    const page = await fetch(`${server.url}/admin/queues`)
    assert.equal(page.status, 200)
    assert.match(await page.text(), /<div id="root">/)
    const { status, body } = await getJson(`${server.url}/admin/queues/api/queues?activeQueue=flaky&status=failed&page=1`)
    assert.equal(status, 200)
    assert.deepEqual(body.queues.map((queue: { name: string }) => queue.name).sort(), ['flaky', 'reports'])
    const flakyQueue = body.queues.find((queue: { name: string }) => queue.name === 'flaky')
    assert.equal(flakyQueue.readOnlyMode, true)
    const job = flakyQueue.jobs.find((candidate: { id: string }) => candidate.id === failedJobId)
    assert.ok(job, 'the failed job is listed')
    assert.equal(job.failedReason, 'flaky failed on purpose')
    await server.close()
  })

  test('read-only by default: retry and clean are refused with 405 and change nothing', async () => {
    const server = await startServer()
    for (const path of [`flaky/${failedJobId}/retry`, 'flaky/retry/failed', 'flaky/clean/failed', 'pause']) {
      const response = await fetch(`${server.url}/admin/queues/api/queues/${path}`, { method: 'PUT' })
      assert.equal(response.status, 405, path)
      assert.match(((await response.json()) as { error: string }).error, /read-only/)
    }
    assert.equal(await flaky.getJobState(failedJobId), 'failed')
    assert.equal(await flaky.isPaused(), false)
    await server.close()
  })

  test('with write actions on, a retry from the dashboard is processed by the worker; cross-site writes are refused', async () => {
    const server = await startServer({ dashboard: { writeActions: true } })
    const crossSite = await fetch(`${server.url}/admin/queues/api/queues/flaky/${failedJobId}/retry`, {
      method: 'PUT',
      headers: { origin: 'https://evil.example' },
    })
    assert.equal(crossSite.status, 403)
    assert.equal(await flaky.getJobState(failedJobId), 'failed')

    failFlakyJobs = false
    try {
      const retry = await fetch(`${server.url}/admin/queues/api/queues/flaky/${failedJobId}/retry`, { method: 'PUT' })
      assert.equal(retry.status, 204)
      await waitFor(async () => (await flaky.getJobState(failedJobId)) === 'completed', 'the retried job to complete')
      assert.equal((await flaky.getJob(failedJobId))!.returnvalue, 'flaky recovered')
    } finally {
      failFlakyJobs = true
    }
    await server.close()
  })

  test('with credentials, the dashboard needs them (401 otherwise) while probes and metrics stay open; the password is never logged', async () => {
    const server = await startServer({ dashboard: { username: 'ops', password: PASSWORD } })
    const anonymous = await fetch(`${server.url}/admin/queues`)
    assert.equal(anonymous.status, 401)
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic realm=/)
    assert.equal((await fetch(`${server.url}/admin/queues/api/queues`, { headers: basic('ops', 'wrong') })).status, 401)
    assert.equal((await fetch(`${server.url}/admin/queues/api/queues`, { headers: basic('someone', PASSWORD) })).status, 401)
    assert.equal((await fetch(`${server.url}/admin/queues/api/queues`, { headers: basic('ops', PASSWORD) })).status, 200)
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200)
    assert.equal((await fetch(`${server.url}/metrics`)).status, 200)
    assert.ok(!logger.entries.some((entry) => entry.message.includes(PASSWORD)), 'the password appears in a log line')
    assert.ok(logger.matching('info', /password required/).length > 0)
    await server.close()
  })

  test('a dashboard request whose Host names another site is refused, reads and writes alike (DNS rebinding)', async () => {
    const server = await startServer({ dashboard: { writeActions: true, allowedHosts: ['queues.internal'] } })
    const attacker = await rawRequest(server.port, 'GET', '/admin/queues/api/queues', { host: `attacker.example:${server.port}` })
    assert.equal(attacker.status, 421)
    assert.match(attacker.body, /Host 'attacker\.example:\d+' is not this server's: .*DASHBOARD_ALLOWED_HOSTS/)
    assert.doesNotMatch(attacker.body, /flaky/, 'no job data went out')
    // The rebinding shape of a write: Host and Origin agree, so the cross-site check alone would pass it.
    const stateBefore = await flaky.getJobState(failedJobId)
    const write = await rawRequest(server.port, 'PUT', `/admin/queues/api/queues/flaky/${failedJobId}/retry`, { host: `evil.example:${server.port}`, origin: `http://evil.example:${server.port}` })
    assert.equal(write.status, 421)
    assert.equal(await flaky.getJobState(failedJobId), stateBefore)
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, `[::1]:${server.port}`, `${hostname()}:${server.port}`, 'QUEUES.internal']) {
      assert.equal((await rawRequest(server.port, 'GET', '/admin/queues/api/queues', { host })).status, 200, host)
    }
    // Probes and metrics are not the dashboard: a scraper may use any name.
    assert.equal((await rawRequest(server.port, 'GET', '/metrics', { host: 'prometheus-target.svc' })).status, 200)
    await server.close()
  })

  test('failed logins are limited per client: after ten in a minute the dashboard answers 429', async () => {
    const server = await startServer({ dashboard: { username: 'ops', password: PASSWORD } })
    const statuses: number[] = []
    for (let i = 0; i < 12; i++) statuses.push((await fetch(`${server.url}/admin/queues/api/queues`, { headers: basic('ops', `guess-${i}`) })).status)
    assert.deepEqual(statuses, [...Array(10).fill(401), 429, 429])
    const limited = await fetch(`${server.url}/admin/queues/api/queues`, { headers: basic('ops', 'guess') })
    assert.ok(Number(limited.headers.get('retry-after')) > 0, 'the client is told when to try again')
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'probes are not limited')
    await server.close()
    // A successful login does not count against the limit.
    const fresh = await startServer({ dashboard: { username: 'ops', password: PASSWORD } })
    for (let i = 0; i < 15; i++) assert.equal((await fetch(`${fresh.url}/admin/queues/api/queues`, { headers: basic('ops', PASSWORD) })).status, 200)
    await fresh.close()
  })

  test('beyond loopback, a short or repetitive dashboard password is refused at start', async () => {
    for (const password of ['x', 'short-pass1', 'aaaaaaaaaaaaaaaa']) {
      await assert.rejects(
        startServer({ host: '0.0.0.0', dashboard: { username: 'ops', password } }),
        /Refusing to start the monitoring server on 0\.0\.0\.0: DASHBOARD_PASSWORD is too weak for a dashboard other machines can reach \((it has \d+ characters, and at least 12 are needed|it repeats too few characters)\)/,
      )
    }
    // On loopback only this machine can try, so any password is the user's choice.
    const local = await startServer({ dashboard: { username: 'ops', password: 'x' } })
    await local.close()
  })

  test('refuses to start beyond loopback without credentials; starts with them, or with the dashboard off', async () => {
    await assert.rejects(startServer({ host: '0.0.0.0' }), /Refusing to start the monitoring server on 0\.0\.0\.0: .*DASHBOARD_USERNAME and DASHBOARD_PASSWORD/)
    await assert.rejects(startServer({ dashboard: { username: 'ops' } }), /credentials are incomplete/)

    const withPassword = await startServer({ host: '0.0.0.0', dashboard: { username: 'ops', password: PASSWORD } })
    assert.equal((await fetch(`http://127.0.0.1:${withPassword.port}/admin/queues`)).status, 401)
    await withPassword.close()

    const noDashboard = await startServer({ host: '0.0.0.0', dashboard: { enabled: false } })
    assert.equal((await fetch(`http://127.0.0.1:${noDashboard.port}/admin/queues`)).status, 404)
    assert.equal((await fetch(`http://127.0.0.1:${noDashboard.port}/healthz`)).status, 200)
    await noDashboard.close()
  })
})

/** An HTTP request with headers fetch will not send as given (Host). */
function rawRequest(port: number, method: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let body = ''
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}
