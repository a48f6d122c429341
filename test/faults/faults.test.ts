// Fault injection on real processes: the generated project's compiled server against a Redis of
// the suite's own, which the scenarios stop, restart and fill. Every job is counted through the
// ledger its function writes. Run alone with `npm run test:faults` (which also writes RELIABILITY.md).
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Queue } from 'bullmq'
import { cleanEnv } from '../support/clean-env.js'
import { OwnRedis } from '../support/own-redis.js'
import { signalGroup, startWorkerServer, type WorkerServer } from '../support/worker-server.js'
import { createFaultProject, readLedger, tally } from './fault-project.js'
import { record, writeReliabilityReport } from './reliability-report.js'

const redis = new OwnRedis({ persistent: true })
const servers: WorkerServer[] = []
let app: string
let scenario = 0

before(async () => {
  await redis.start()
  app = createFaultProject()
})

after(async () => {
  for (const server of servers) signalGroup(server.child, 'SIGKILL')
  await redis.destroy()
  writeReliabilityReport()
})

/** A fresh prefix and ledger per scenario, so scenarios never see each other's jobs. */
function newScenario(): { prefix: string; ledger: string; queue: Queue } {
  scenario++
  const prefix = `fault-${process.pid}-${scenario}`
  const queue = new Queue('fault-work', { connection: { host: '127.0.0.1', port: redis.port }, prefix })
  return { prefix, ledger: join(app, `ledger-${scenario}.txt`), queue }
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
    await waitUntil(() => readLedger(ledger).size >= ids.length, 'the rest to be processed', 60_000)
    signalGroup(second.child, 'SIGTERM')
    assert.equal(await exitCode(second), 0, second.output())
    const counts = tally(ids, readLedger(ledger))
    record({ scenario: 'SIGTERM with 20 jobs in flight (200 jobs of 100 ms)', added: ids.length, ...counts, timing: 'exit 0' })
    assert.deepEqual(counts, { completed: ids.length, lost: 0, duplicated: 0 })
    await queue.close()
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
    await waitUntil(() => readLedger(ledger).size >= ids.length, 'every job', 60_000)
    signalGroup(second.child, 'SIGTERM')
    await second.closed
    const counts = tally(ids, readLedger(ledger))
    record({
      scenario: 'kill -9 mid-run (1000 jobs of 20 ms)',
      added: ids.length,
      ...counts,
      timing: `${activeAtKill.length} active jobs back in ${(recoveredMs / 1000).toFixed(1)} s`,
      notes: 'duplicates can only come from a job killed after its work, before BullMQ recorded it',
    })
    assert.equal(counts.lost, 0)
    assert.ok(counts.duplicated <= activeAtKill.length, 'only jobs that were active at the kill can run twice')
    await queue.close()
  })

  test('three processes on 10 000 jobs: each job runs exactly once', async () => {
    const { prefix, ledger, queue } = newScenario()
    const ids = await addJobs(queue, 10_000, 0)
    const started = Date.now()
    const workers = await Promise.all([0, 1, 2].map(() => startServer(prefix, ledger)))
    await waitUntil(() => readLedger(ledger).size >= ids.length, 'every job', 120_000)
    const seconds = (Date.now() - started) / 1000
    for (const worker of workers) signalGroup(worker.child, 'SIGTERM')
    await Promise.all(workers.map((worker) => worker.closed))
    const counts = tally(ids, readLedger(ledger))
    record({ scenario: '3 worker processes, 10 000 jobs', added: ids.length, ...counts, timing: `${Math.round(ids.length / seconds)} jobs/s together` })
    assert.deepEqual(counts, { completed: ids.length, lost: 0, duplicated: 0 })
    await queue.close()
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
    await new Promise((resolve) => setTimeout(resolve, 6000))
    await redis.start()
    const doneBefore = readLedger(ledger).size
    const resumedMs = await waitUntil(() => readLedger(ledger).size > doneBefore, 'jobs to move again', 60_000)
    await waitUntil(() => readLedger(ledger).size >= ids.length, 'every job', 120_000)
    signalGroup(server.child, 'SIGTERM')
    await server.closed
    const counts = tally(ids, readLedger(ledger))
    record({
      scenario: 'Redis down at start; 6 s outage mid-run (2000 jobs of 5 ms)',
      added: ids.length,
      ...counts,
      timing: `ready ${(readyAfterMs / 1000).toFixed(1)} s after Redis came up; jobs moving ${(resumedMs / 1000).toFixed(1)} s after the restart`,
    })
    assert.equal(counts.lost, 0)
    await queue.close()
  })
})
