// The generated project's compiled server on a Redis Cluster (3 masters, 3 replicas) and on Sentinel
// (master, replica, 3 sentinels), all on loopback, with only environment variables changed: jobs
// with results through the template's producer, the schedule, /readyz, /metrics and `pikku-queues`.
// Failovers are in the fault suite (test/faults), which writes their figures to RELIABILITY.md.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { cleanEnv } from './support/clean-env.js'
import { findFreePort } from './support/free-port.js'
import { createBuiltProject } from './support/generated-project.js'
import { OwnRedisCluster } from './support/own-redis-cluster.js'
import { OwnRedisSentinel } from './support/own-redis-sentinel.js'
import { startWorkerServer, stopWorkerServer } from './support/worker-server.js'

let app: string

before(() => {
  app = createBuiltProject('topologies', {})
})

/** Runs one of the project's npm scripts with the given environment and returns its exit status and output. */
function npmRun(script: string, args: string[], env: NodeJS.ProcessEnv): { status: number | null; output: string } {
  const result = spawnSync('npm', ['run', '--silent', script, '--', ...args], { cwd: app, env, encoding: 'utf8', timeout: 60_000 })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

/** Everything a user does with a running server, on the Redis at `redisUrl`. */
async function exerciseProject(redisUrl: string, prefix: string): Promise<void> {
  const port = await findFreePort()
  const env = cleanEnv({ REDIS_URL: redisUrl, PIKKU_QUEUE_PREFIX: prefix, MONITORING_PORT: String(port) })
  const server = await startWorkerServer(process.execPath, ['dist/src/start.js'], { cwd: app, env })
  try {
    assert.match(server.output(), /Schedule 'nightly-sales-report' \(0 2 \* \* \*\): next run \d{4}-/, 'the schedule was reconciled and its worker runs')

    for (const name of ['Ada', 'Grace']) {
      const enqueue = npmRun('enqueue', [name], env)
      assert.equal(enqueue.status, 0, enqueue.output)
      assert.match(enqueue.output, new RegExp(`Hello, ${name}!`), 'the producer waited for the job and printed its result')
    }

    const ready = await fetch(`http://127.0.0.1:${port}/readyz`)
    assert.equal(ready.status, 200, await ready.text())
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    assert.match(metrics, /pikku_queue_redis_up 1/)
    assert.match(metrics, /pikku_queue_jobs\{queue="hello-world-queue",state="completed"\} 2/)

    const status = npmRun('queues', ['status', '--json'], env)
    assert.equal(status.status, 0, status.output)
    const queues = JSON.parse(status.output) as Array<{ queue: string; completed: number }>
    assert.deepEqual(
      queues.map(({ queue, completed }) => ({ queue, completed })).filter(({ queue }) => queue === 'hello-world-queue'),
      [{ queue: 'hello-world-queue', completed: 2 }],
      status.output,
    )
    assert.ok(queues.some(({ queue }) => queue === 'pikku-schedules'), `pikku-queues lists the schedules queue:\n${status.output}`)
    const schedules = npmRun('queues', ['schedules'], env)
    assert.equal(schedules.status, 0, schedules.output)
    assert.match(schedules.output, /nightly-sales-report/)
  } finally {
    await stopWorkerServer(server)
  }
  assert.equal(server.child.exitCode, 0, server.output())
}

describe('Redis Cluster', () => {
  const cluster = new OwnRedisCluster()
  before(() => cluster.start())
  after(() => cluster.destroy())

  test('jobs, results, the schedule, monitoring and pikku-queues work with REDIS_URL=redis+cluster://… and a hash-tagged prefix', { timeout: 120_000 }, async () => {
    await exerciseProject(cluster.url, `{topo-${process.pid}}`)
  })

  test('a prefix without a hash tag stops the server at start-up with the fix', { timeout: 60_000 }, async () => {
    const env = cleanEnv({ REDIS_URL: cluster.url, PIKKU_QUEUE_PREFIX: 'myapp', MONITORING_ENABLED: 'false' })
    const result = spawnSync(process.execPath, ['dist/src/start.js'], { cwd: app, env, encoding: 'utf8', timeout: 30_000 })
    assert.notEqual(result.status, 0)
    assert.match(`${result.stdout}${result.stderr}`, /Prefix 'myapp' has no hash tag, but redis\+cluster:\/\/127\.0\.0\.1:\d+,.* is a Redis Cluster.*PIKKU_QUEUE_PREFIX='\{myapp\}'/)
  })
})

describe('Redis Sentinel', () => {
  const sentinel = new OwnRedisSentinel()
  before(() => sentinel.start())
  after(() => sentinel.destroy())

  test('jobs, results, the schedule, monitoring and pikku-queues work with REDIS_URL=redis+sentinel://…/mymaster', { timeout: 120_000 }, async () => {
    await exerciseProject(sentinel.url, `topo-${process.pid}`)
  })
})
