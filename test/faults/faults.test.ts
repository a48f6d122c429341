// Fault injection on real processes: the generated project's compiled server against a Redis of
// the suite's own, which the scenarios stop, restart and fill. Every job is counted through the
// ledger its function writes. Run alone with `npm run test:faults` (which also writes RELIABILITY.md).
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Queue, type Job } from 'bullmq'
import { Redis } from 'ioredis'
import { BullServiceFactory, DEFAULT_LOCK_DURATION_MS, DEFAULT_STALLED_INTERVAL_MS } from 'pikku-bullmq'
import { cleanEnv } from '../support/clean-env.js'
import { findFreePort } from '../support/free-port.js'
import { OwnRedis } from '../support/own-redis.js'
import { OwnRedisCluster } from '../support/own-redis-cluster.js'
import { OwnRedisSentinel } from '../support/own-redis-sentinel.js'
import { signalGroup, startWorkerServer, type WorkerServer } from '../support/worker-server.js'
import { createFaultProject, readLedger, tally } from './fault-project.js'
import { runFailover, type FailoverResult } from './failover-run.js'
import { record, writeReliabilityReport } from './reliability-report.js'
import { workflowScenarios } from './workflow-scenarios.js'

const redis = new OwnRedis({ persistent: true })
const servers: WorkerServer[] = []
/** Every Queue a scenario opens, closed at the end even if the scenario failed: a left-over client would retry the stopped Redis forever. */
const openQueues: Queue[] = []
let app: string
let scenario = 0

before(async () => {
  await redis.start()
  app = createFaultProject()
})

after(async () => {
  for (const server of servers) signalGroup(server.child, 'SIGKILL')
  await Promise.all(openQueues.map((queue) => queue.close()))
  await redis.destroy()
  writeReliabilityReport()
})

/** A fresh prefix and ledger per scenario, so scenarios never see each other's jobs. */
function newScenario(queueName = 'fault-work'): { prefix: string; ledger: string; queue: Queue; queueOf: (name: string) => Queue } {
  scenario++
  const prefix = `fault-${process.pid}-${scenario}`
  const queueOf = (name: string) => {
    const queue = new Queue(name, { connection: { host: '127.0.0.1', port: redis.port }, prefix })
    // Scenarios cut connections on purpose; the test's own queues just reconnect.
    queue.on('error', () => {})
    openQueues.push(queue)
    return queue
  }
  return { prefix, ledger: join(app, `ledger-${scenario}.txt`), queue: queueOf(queueName), queueOf }
}

/** Polls a job until it has finished, and returns it. */
async function finished(queue: Queue, id: string, timeoutMs = 30_000): Promise<Job> {
  let job: Job | undefined
  await waitUntil(async () => {
    job = await queue.getJob(id)
    return job?.finishedOn !== undefined
  }, `job ${id} of ${queue.name} to finish`, timeoutMs)
  return job!
}

function startServer(prefix: string, ledger: string, env: Record<string, string> = {}): Promise<WorkerServer> {
  return startWorkerServer(process.execPath, ['dist/src/start.js'], {
    cwd: app,
    env: cleanEnv({ REDIS_URL: redis.url, PIKKU_QUEUE_PREFIX: prefix, FAULT_LEDGER: ledger, ...env }),
  }).then((server) => {
    servers.push(server)
    return server
  })
}

async function addJobs(queue: Queue, count: number, ms: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < count; i += 500) {
    const jobs = await queue.addBulk(Array.from({ length: Math.min(500, count - i) }, (_, j) => ({ name: 'work', data: { n: i + j, ms } })))
    ids.push(...jobs.map((job) => job.id!))
  }
  return ids
}

async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<number> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return Date.now() - started
}

/** Waits until every added job is in the ledger, stops the servers gracefully, then counts lost and duplicated jobs. */
async function drainAndCount(ids: readonly string[], ledger: string, running: WorkerServer[], timeoutMs: number): Promise<ReturnType<typeof tally>> {
  await waitUntil(() => readLedger(ledger).size >= ids.length, 'every job', timeoutMs)
  for (const server of running) signalGroup(server.child, 'SIGTERM')
  await Promise.all(running.map((server) => server.closed))
  return tally(ids, readLedger(ledger))
}

async function exitCode(server: WorkerServer): Promise<number | null> {
  await server.closed
  return server.child.exitCode
}

describe('fault injection', () => {
  test('SIGTERM with jobs in flight: they finish, exit 0, nothing lost or run twice', async () => {
    const { prefix, ledger, queue } = newScenario()
    const ids = await addJobs(queue, 200, 100)
    const first = await startServer(prefix, ledger, { FAULT_CONCURRENCY: '20' })
    await waitUntil(() => readLedger(ledger).size >= 20, 'jobs to be in flight', 30_000)
    signalGroup(first.child, 'SIGTERM')
    assert.equal(await exitCode(first), 0, first.output())

    const second = await startServer(prefix, ledger, { FAULT_CONCURRENCY: '20' })
    const counts = await drainAndCount(ids, ledger, [second], 60_000)
    assert.equal(second.child.exitCode, 0, second.output())
    record({ scenario: 'SIGTERM with 20 jobs in flight (200 jobs of 100 ms)', added: ids.length, ...counts, timing: 'exit 0' })
    assert.deepEqual(counts, { completed: ids.length, lost: 0, duplicated: 0 })
  })

  test('kill -9 mid-run with 1000 jobs: nothing lost, the active jobs come back after their lock expires', async () => {
    const { prefix, ledger, queue } = newScenario()
    const ids = await addJobs(queue, 1000, 20)
    const first = await startServer(prefix, ledger)
    await waitUntil(() => readLedger(ledger).size >= 300, 'a third of the jobs', 60_000)
    signalGroup(first.child, 'SIGKILL')
    await first.closed
    const activeAtKill = (await queue.getActive()).map((job) => job.id!)

    const second = await startServer(prefix, ledger)
    const recoveredMs = await waitUntil(() => activeAtKill.every((id) => readLedger(ledger).has(id)), 'the abandoned jobs to run again', 120_000)
    const counts = await drainAndCount(ids, ledger, [second], 60_000)
    record({
      scenario: 'kill -9 mid-run (1000 jobs of 20 ms)',
      added: ids.length,
      ...counts,
      timing: `${activeAtKill.length} active jobs back in ${(recoveredMs / 1000).toFixed(1)} s`,
      notes: 'duplicates can only come from a job killed after its work, before BullMQ recorded it',
    })
    assert.equal(counts.lost, 0)
    assert.ok(counts.duplicated <= activeAtKill.length, 'only jobs that were active at the kill can run twice')
    assert.ok(recoveredMs <= DEFAULT_LOCK_DURATION_MS + DEFAULT_STALLED_INTERVAL_MS + 5000, `back within lockDuration + stalledInterval + 5 s, took ${recoveredMs} ms`)
  })

  test('three processes on 10 000 jobs: each job runs exactly once', async () => {
    const { prefix, ledger, queue } = newScenario()
    const ids = await addJobs(queue, 10_000, 0)
    const started = Date.now()
    const workers = await Promise.all([0, 1, 2].map(() => startServer(prefix, ledger)))
    await waitUntil(() => readLedger(ledger).size >= ids.length, 'every job', 120_000)
    const seconds = (Date.now() - started) / 1000
    const counts = await drainAndCount(ids, ledger, workers, 0)
    record({ scenario: '3 worker processes, 10 000 jobs', added: ids.length, ...counts, timing: `${Math.round(ids.length / seconds)} jobs/s together` })
    assert.deepEqual(counts, { completed: ids.length, lost: 0, duplicated: 0 })
  })

  test('Redis down at start, then restarted mid-run for longer than drainDelay: the worker resumes by itself, nothing lost', async () => {
    const { prefix, ledger, queue } = newScenario()
    const ids = await addJobs(queue, 2000, 5)
    await redis.stop()
    const starting = startServer(prefix, ledger)
    await new Promise((resolve) => setTimeout(resolve, 2000))
    const redisBack = Date.now()
    await redis.start()
    const server = await starting
    const readyAfterMs = Date.now() - redisBack

    await waitUntil(() => readLedger(ledger).size >= 500, 'a quarter of the jobs', 60_000)
    await redis.stop()
    const producer = new BullServiceFactory({ redisUrl: redis.url, prefix, producerTimeoutMs: 2000 })
    const refusedAt = Date.now()
    await assert.rejects(producer.getQueueService().add('fault-work', { n: -1, ms: 0 }), /Redis at redis:\/\/127\.0\.0\.1:\d+ did not answer within 2000 ms/)
    const producerFailedMs = Date.now() - refusedAt
    await producer.close()
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 6000 - producerFailedMs)))
    await redis.start()
    const doneBefore = readLedger(ledger).size
    const resumedMs = await waitUntil(() => readLedger(ledger).size > doneBefore, 'jobs to move again', 60_000)
    const counts = await drainAndCount(ids, ledger, [server], 120_000)
    record({
      scenario: 'Redis down at start; 6 s outage mid-run (2000 jobs of 5 ms)',
      added: ids.length,
      ...counts,
      timing: `ready ${(readyAfterMs / 1000).toFixed(1)} s after Redis came up; jobs moving ${(resumedMs / 1000).toFixed(1)} s after the restart; a producer refused in ${(producerFailedMs / 1000).toFixed(1)} s during the outage`,
    })
    assert.equal(counts.lost, 0)
  })

  test('shutdown deadline exceeded: exit 1, the abandoned jobs run again at once on the next start, nothing lost', async () => {
    const { prefix, ledger, queue } = newScenario()
    const ids = await addJobs(queue, 6, 4000)
    const first = await startServer(prefix, ledger, { FAULT_CONCURRENCY: '3', SHUTDOWN_TIMEOUT_MS: '500' })
    await waitUntil(async () => (await queue.getActiveCount()) === 3, 'three jobs running', 30_000)
    signalGroup(first.child, 'SIGTERM')
    assert.equal(await exitCode(first), 1, first.output())
    assert.equal(await queue.getActiveCount(), 0, 'the abandoned jobs were handed back, not left active')

    const restarted = Date.now()
    const second = await startServer(prefix, ledger, { FAULT_CONCURRENCY: '3' })
    await waitUntil(() => readLedger(ledger).size >= ids.length, 'every job', 60_000)
    const firstThreeMs = Date.now() - restarted
    const counts = await drainAndCount(ids, ledger, [second], 0)
    record({ scenario: 'shutdown deadline (500 ms) exceeded with 3 jobs of 4 s running', added: ids.length, ...counts, timing: `exit 1; all done ${(firstThreeMs / 1000).toFixed(1)} s after the restart` })
    assert.deepEqual(counts, { completed: ids.length, lost: 0, duplicated: 0 })
    assert.ok(firstThreeMs < DEFAULT_LOCK_DURATION_MS + 5000 + 8000, 'the abandoned jobs did not wait for their lock to expire')
  })

  test('a hanging function times out, frees its only slot and follows its retry policy', async () => {
    const { prefix, ledger, queue } = newScenario('fault-hang')
    const server = await startServer(prefix, ledger)
    const hanging = await queue.add('hang', { hang: true }, { attempts: 2, backoff: { type: 'fixed', delay: 100 } })
    const behind = await queue.add('after', { hang: false })
    const started = Date.now()
    const done = await finished(queue, behind.id!)
    const failed = await finished(queue, hanging.id!)
    signalGroup(server.child, 'SIGTERM')
    await server.closed
    record({
      scenario: 'hanging function, per-queue timeout 1 s, attempts 2, one slot',
      added: 2,
      completed: done.returnvalue?.done ? 1 : 0,
      failed: failed.failedReason ? 1 : 0,
      lost: 0,
      duplicated: 0,
      timing: `the job behind it done after ${((Date.now() - started) / 1000).toFixed(1)} s`,
      notes: `reason: ${failed.failedReason}`,
    })
    assert.deepEqual(done.returnvalue, { done: true })
    assert.equal(failed.attemptsMade, 2)
    assert.match(failed.failedReason, /timed out after 1000 ms/)
  })

  test('bad input fails once with a readable reason, the worker survives, logs stay bounded', async () => {
    const { prefix, ledger, queue: work, queueOf } = newScenario()
    const thrower = queueOf('fault-throw')
    const hello = queueOf('hello-world-queue')
    const server = await startServer(prefix, ledger)
    const outputBefore = server.output().length
    const cases = [
      { queue: work, data: { nope: true }, reason: /n: required, expected number/ },
      // BullMQ stores null data as {}, so the worker sees every field missing.
      { queue: work, data: null, reason: /n: required, expected number; ms: required, expected number/ },
      { queue: thrower, data: { reason: 'plain string reason' }, reason: /^plain string reason$/ },
      // Stored cut to 8 KB: the function throws its whole input back.
      { queue: hello, data: { message: 'x'.repeat(5 * 1024 * 1024), fail: true }, reason: /^Failed on purpose: x+… \(\d+ characters\)$/ },
    ]
    const failures: string[] = []
    for (const { queue, data, reason } of cases) {
      const job = await queue.add('bad', data, { attempts: queue === work ? 3 : 1 })
      const failed = await finished(queue, job.id!)
      assert.match(failed.failedReason, reason)
      assert.equal(failed.attemptsMade, 1, `${queue.name}: one attempt`)
      failures.push(failed.failedReason.slice(0, 60))
    }
    const ok = await finished(hello, (await hello.add('fine', { message: 'still here', fail: false })).id!)
    assert.deepEqual(ok.returnvalue, { result: 'Hello, still here!' })
    const logged = server.output().length - outputBefore
    signalGroup(server.child, 'SIGTERM')
    await server.closed
    record({
      scenario: 'invalid data, null data, a thrown string, a 5 MB payload',
      added: cases.length + 1,
      completed: 1,
      failed: cases.length,
      lost: 0,
      duplicated: 0,
      timing: `${Math.round(logged / 1024)} KB of logs for a 5 MB payload`,
      notes: failures.map((reason) => `"${reason}"`).join('; '),
    })
    assert.ok(logged < 64 * 1024, `logs stay bounded: ${logged} bytes`)
  })

  test('retention over 50 000 jobs: Redis keys and memory stay bounded by the defaults', async () => {
    const { prefix, ledger, queue } = newScenario()
    const server = await startServer(prefix, ledger, { FAULT_CONCURRENCY: '50' })
    const client = new Redis(redis.url)
    const memory = async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1])
    const keys = async () => (await client.keys(`${prefix}:*`)).length
    const samples: string[] = []
    const baseline = await memory()
    for (let batch = 0; batch < 5; batch++) {
      await addJobs(queue, 10_000, 0)
      await waitUntil(async () => (await queue.getJobCounts('waiting', 'active')).waiting === 0, 'the batch to drain', 60_000)
      await waitUntil(async () => (await queue.getActiveCount()) === 0, 'the batch to finish', 10_000)
      samples.push(`${(batch + 1) * 10}k: ${await keys()} keys, ${((await memory() - baseline) / 2 ** 20).toFixed(1)} MB`)
    }
    signalGroup(server.child, 'SIGTERM')
    await server.closed
    const finalKeys = await keys()
    const grownMb = (await memory() - baseline) / 2 ** 20
    record({ scenario: 'retention over 50 000 jobs (defaults: keep 1000 completed)', added: 50_000, completed: readLedger(ledger).size, lost: 50_000 - readLedger(ledger).size, duplicated: 0, timing: samples.join('; ') })
    assert.equal(readLedger(ledger).size, 50_000)
    assert.ok(finalKeys < 1100, `keys bounded: ${finalKeys}`)
    assert.ok(grownMb < 5, `memory bounded: ${grownMb.toFixed(1)} MB more`)
    await queue.obliterate({ force: true })
    client.disconnect()
  })

  test('poison jobs (data or opts not JSON, data nested 100 000 levels) fail once among good jobs; nothing else is lost', async () => {
    const { prefix, ledger, queue } = newScenario()
    const server = await startServer(prefix, ledger)
    const client = new Redis(redis.url)
    try {
      let deep = '1'
      for (let i = 0; i < 100_000; i++) deep = `[${deep}]`
      const poisons = [['data', '{not json'], ['opts', '{"attempts":3,broken'], ['data', deep]] as const
      const poisonIds: string[] = []
      const addedAt = Date.now()
      for (const [field, value] of poisons) {
        // Delayed, so the corruption lands before a worker can take the job.
        const job = await queue.add('poison', { n: 0, ms: 0 }, { attempts: 3, delay: 500 })
        await client.hset(`${prefix}:fault-work:${job.id}`, field, value)
        poisonIds.push(job.id!)
      }
      const ids = await addJobs(queue, 500, 5)
      // Polled by state: until the worker quarantines a poison job, BullMQ cannot read it (that is the fault).
      await Promise.all(poisonIds.map((id) => waitUntil(async () => (await queue.getJobState(id)) === 'failed', `poison job ${id} to fail`, 120_000)))
      const failedJobs = await Promise.all(poisonIds.map((id) => finished(queue, id)))
      const endedAfter = Math.max(...failedJobs.map((job) => job.finishedOn! - addedAt))
      for (const job of failedJobs) assert.equal(job.attemptsMade, 1, `poison job ${job.id} ran once`)
      // Each fails with its own reason, not BullMQ's stall limit (which a skipped quarantine ends in).
      assert.match(failedJobs[0]!.failedReason, /cannot run: its data field in Redis is not JSON/)
      assert.match(failedJobs[1]!.failedReason, /cannot run: its opts field in Redis is not JSON/)
      assert.match(failedJobs[2]!.failedReason, /^Invalid data/)
      assert.ok((await queue.getJobs(['failed'])).length >= 3, 'the failed list reads again')
      const counts = await drainAndCount(ids, ledger, [server], 60_000)
      record({
        scenario: 'poison jobs: data not JSON, opts not JSON, data nested 100 000 levels (3), among 500 good jobs',
        added: ids.length + poisons.length,
        completed: counts.completed,
        failed: failedJobs.length,
        lost: counts.lost,
        duplicated: counts.duplicated,
        timing: `each failed once, at most ${(endedAfter / 1000).toFixed(1)} s after it was added (when its lock expired)`,
        notes: failedJobs.map((job) => `"${job.failedReason.slice(0, 70)}…"`).join('; '),
      })
      assert.deepEqual(counts, { completed: ids.length, lost: 0, duplicated: 0 })
    } finally {
      client.disconnect()
    }
  })

  test('a 50 MB job that fails stores its data once: the reason and stack are cut', async () => {
    const { prefix, ledger, queueOf } = newScenario()
    const hello = queueOf('hello-world-queue')
    const server = await startServer(prefix, ledger)
    const client = new Redis(redis.url)
    try {
      const before = Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1])
      const job = await hello.add('big', { message: 'x'.repeat(50 * 1024 * 1024), fail: true }, { attempts: 2, backoff: { type: 'fixed', delay: 10 } })
      const failed = await finished(hello, job.id!, 60_000)
      const jobBytes = Number(await client.call('MEMORY', 'USAGE', `${prefix}:hello-world-queue:${job.id}`, 'SAMPLES', '0'))
      const after = Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1])
      signalGroup(server.child, 'SIGTERM')
      await server.closed
      record({
        scenario: 'a 50 MB job that fails (attempts 2; the function throws its input back)',
        added: 1,
        completed: 0,
        failed: 1,
        lost: 0,
        duplicated: 0,
        timing: `the failed job takes ${(jobBytes / 2 ** 20).toFixed(1)} MB in Redis, used memory +${((after - before) / 2 ** 20).toFixed(0)} MB`,
        notes: `reason stored: ${failed.failedReason.length} characters, stacks: ${(failed.stacktrace ?? []).map((stack) => stack.length).join(' and ')} characters`,
      })
      assert.ok(jobBytes < 60 * 2 ** 20, `the failed job takes ${jobBytes} bytes`)
      assert.ok(failed.failedReason.length < 8_300)
    } finally {
      client.disconnect()
    }
  })

  test('Redis at maxclients while jobs run: /readyz fails, the log names the cause, jobs move again once it takes connections', async () => {
    const { prefix, ledger, queue } = newScenario()
    const server = await startServer(prefix, ledger, { MONITORING_PORT: '0' })
    const port = Number(/Monitoring on http:\/\/127\.0\.0\.1:(\d+)/.exec(server.output())![1])
    const readyz = () => fetch(`http://127.0.0.1:${port}/readyz`).then((response) => response.status, () => 0)
    const admin = new Redis(redis.url)
    try {
      const ids = await addJobs(queue, 300, 100)
      await waitUntil(() => readLedger(ledger).size >= 20, 'jobs to be running', 30_000)
      const faultAt = Date.now()
      // Room for no new connection, then every connection but this one is dropped.
      await admin.config('SET', 'maxclients', '1')
      await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes')
      const notReadyMs = await waitUntil(async () => (await readyz()) === 503, '/readyz to fail', 30_000)
      const namedMs = await waitUntil(() => /Redis refuses new connections: ERR max number of clients reached/.test(server.output()), 'the log to name the cause', 30_000) + (Date.now() - faultAt - notReadyMs)
      await admin.config('SET', 'maxclients', '10000')
      const raisedAt = Date.now()
      const doneBefore = readLedger(ledger).size
      await waitUntil(() => readLedger(ledger).size > doneBefore, 'jobs moving again', 60_000)
      const movingMs = Date.now() - raisedAt
      const counts = await drainAndCount(ids, ledger, [server], 120_000)
      record({
        scenario: 'Redis at maxclients (1) with 10 jobs running, 300 jobs of 100 ms',
        added: ids.length,
        ...counts,
        timing: `/readyz 503 after ${(notReadyMs / 1000).toFixed(1)} s; the cause logged after ${(namedMs / 1000).toFixed(1)} s; jobs moving ${(movingMs / 1000).toFixed(1)} s after maxclients was raised`,
        notes: 'duplicates: jobs whose connection was cut before BullMQ recorded their completion run again (at least once)',
      })
      assert.equal(counts.lost, 0)
    } finally {
      await admin.config('SET', 'maxclients', '10000').catch(() => undefined)
      admin.disconnect()
    }
  })

  test('Redis at maxmemory with noeviction: producers get a clear error, nothing already queued is lost', async () => {
    const full = new OwnRedis({ persistent: false, maxmemory: '3mb' })
    await full.start()
    const prefix = `fault-${process.pid}-oom`
    const ledger = join(app, 'ledger-oom.txt')
    const producer = new BullServiceFactory({ redisUrl: full.url, prefix })
    const added: string[] = []
    let refusal: Error | undefined
    try {
      const service = producer.getQueueService()
      while (!refusal && added.length < 100_000) {
        try {
          added.push(...(await service.addBulk('fault-work', Array.from({ length: 100 }, (_, i) => ({ data: { n: i, ms: 0 } })))))
        } catch (error) {
          refusal = error as Error
        }
      }
      assert.ok(refusal, 'Redis filled up')
      assert.match(refusal.message, /Redis at redis:\/\/127\.0\.0\.1:\d+ is out of memory \(maxmemory reached; .*Nothing was added/)
      // The operator raises the limit; every job that was accepted runs.
      await full.configSet('maxmemory', '0')
      const server = await startWorkerServer(process.execPath, ['dist/src/start.js'], {
        cwd: app,
        env: cleanEnv({ REDIS_URL: full.url, PIKKU_QUEUE_PREFIX: prefix, FAULT_LEDGER: ledger, FAULT_CONCURRENCY: '50' }),
      })
      servers.push(server)
      await waitUntil(() => readLedger(ledger).size >= added.length, 'every accepted job', 120_000)
      signalGroup(server.child, 'SIGTERM')
      await server.closed
      const counts = tally(added, readLedger(ledger))
      record({ scenario: 'Redis full (maxmemory 3 MB, noeviction)', added: added.length, ...counts, notes: `refused with: "${refusal.message.slice(0, 120)}…"` })
      assert.deepEqual(counts, { completed: added.length, lost: 0, duplicated: 0 })
    } finally {
      await producer.close()
      await full.destroy()
    }
  })
})

describe('failover', () => {
  /** The compiled server on the topology, a failover under load, then a graceful stop. */
  async function failover(label: string, redisUrl: string, prefix: string, fault: () => Promise<void>, replicaAcks?: number): Promise<FailoverResult> {
    scenario++
    const ledger = join(app, `ledger-${scenario}.txt`)
    const monitoringPort = await findFreePort()
    const server = await startServer(prefix, ledger, { REDIS_URL: redisUrl, MONITORING_PORT: String(monitoringPort) })
    const result = await runFailover({ redisUrl, prefix, ledger, monitoringPort, fault, replicaAcks })
    signalGroup(server.child, 'SIGTERM')
    assert.equal(await exitCode(server), 0, server.output())
    const s = (ms: number | undefined) => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`)
    record({
      scenario: label,
      added: result.acked.length,
      completed: result.acked.length - result.lost,
      lost: result.lost,
      duplicated: result.duplicated,
      timing: `${result.refusedAdds} adds refused, the last ${s(result.addsRefusedForMs)} after the fault; longest add ${s(result.longestAddMs)}; jobs moving ${s(result.jobsMovingAfterMs)} after; /readyz ${result.notReadySeen ? `503, then 200 at ${s(result.readyAgainAfterMs)}` : 'stayed 200'}`,
      notes: 'added = adds acknowledged to the producer (4 producers without pause); refused adds are reported to their caller and not counted',
    })
    return result
  }

  for (const replicaAcks of [undefined, 1]) {
    const acks = replicaAcks === undefined ? '' : `, REDIS_REPLICA_ACKS=${replicaAcks}`
    test(`Redis Cluster, kill -9 of the master that owns the prefix${acks}: no acknowledged job lost, /readyz fails until it is back`, async () => {
      const cluster = new OwnRedisCluster()
      await cluster.start()
      try {
        const prefix = `{fault-${process.pid}-cluster-${replicaAcks ?? 0}}`
        const key = `${prefix}:fault-work:id`
        const label = `Redis Cluster (3 masters + 3 replicas): kill -9 of the master owning the prefix, restarted after the failover${acks}`
        const result = await failover(label, cluster.url, prefix, async () => {
          const owner = await cluster.ownerOf(key)
          await cluster.kill(owner)
          const { newOwner } = await cluster.waitForFailover(owner, key)
          // The crashed node comes back as the new master's replica: until then the promoted one has
          // none, so with REDIS_REPLICA_ACKS=1 adds are refused.
          await cluster.restart(owner)
          await cluster.waitForReplicaLink(newOwner, owner)
        }, replicaAcks)
        assert.equal(result.lost, 0)
        assert.ok(result.notReadySeen, '/readyz failed while the slot had no master')
        assert.notEqual(result.readyAgainAfterMs, undefined, '/readyz was 200 again after the failover')
      } finally {
        await cluster.destroy()
      }
    })
  }

  // Two replicas, as the README advises: the new master keeps one to confirm adds (replicaAcks 1).
  test('Sentinel, kill -9 of the master: no acknowledged job lost, /readyz fails until a replica is promoted', async () => {
    const sentinel = new OwnRedisSentinel({ replicas: 2 })
    await sentinel.start()
    try {
      const result = await failover('Sentinel (1 master + 2 replicas, 3 sentinels): kill -9 of the master', sentinel.url, `fault-${process.pid}-sentinel-kill`, async () => {
        const old = await sentinel.killMaster()
        await sentinel.waitForNewMaster(old)
      })
      assert.equal(result.lost, 0)
      assert.ok(result.notReadySeen, '/readyz failed while there was no master')
    } finally {
      await sentinel.destroy()
    }
  })

  // The old master keeps taking writes until the sentinels demote it (about 11 s), and the replica
  // not promoted still replicates from it for a while: only a write every replica confirmed is
  // surely on the promoted one. With replicaAcks 1, hundreds of acknowledged adds were lost here.
  test('Sentinel, SENTINEL FAILOVER under load with replicaAcks = every replica: no acknowledged job lost', async () => {
    const sentinel = new OwnRedisSentinel({ replicas: 2 })
    await sentinel.start()
    try {
      const label = 'Sentinel (1 master + 2 replicas): manual SENTINEL FAILOVER, REDIS_REPLICA_ACKS=2'
      const result = await failover(label, sentinel.url, `fault-${process.pid}-sentinel-failover`, async () => {
        const old = await sentinel.masterPort()
        await sentinel.failover()
        await sentinel.waitForNewMaster(old)
      }, 2)
      assert.equal(result.lost, 0)
    } finally {
      await sentinel.destroy()
    }
  })
})

workflowScenarios(() => redis.url)
