// pikku-bullmq on a Sentinel set-up of the test's own: adds wait for a replica to confirm them, and
// /readyz, whose write probe fails on a replica (a PING would pass), tells the two URLs apart.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Redis } from 'ioredis'
import { OwnRedisSentinel } from '../../../test/support/own-redis-sentinel.js'
import { BullServiceFactory, startMonitoringServer } from '../src/index.js'
import { MemoryLogger, REDIS_URL, uniquePrefix } from './helpers.js'

const sentinel = new OwnRedisSentinel()
before(() => sentinel.start())
after(() => sentinel.destroy())

async function readyz(redisUrl: string): Promise<{ status: number; body: { reasons?: string[] } }> {
  const logger = new MemoryLogger()
  const prefix = uniquePrefix('replica-readiness')
  const factory = new BullServiceFactory({ redisUrl, prefix, logger })
  const server = await startMonitoringServer({ queueNames: [], queueWorkers: factory.getQueueWorkers(), redisUrl, prefix, port: 0, logger, dashboard: { enabled: false } })
  try {
    const response = await fetch(`${server.url}/readyz`)
    return { status: response.status, body: (await response.json()) as { reasons?: string[] } }
  } finally {
    await server.close()
    await factory.close()
  }
}

test('/readyz is 503 with READONLY named when REDIS_URL reaches a replica, 200 through the sentinels', { timeout: 30_000 }, async () => {
  const master = await sentinel.masterPort()
  const replica = sentinel.dataPorts.find((port) => port !== master)!

  const onReplica = await readyz(`redis://127.0.0.1:${replica}`)
  assert.equal(onReplica.status, 503)
  assert.deepEqual(onReplica.body.reasons, [
    "Redis refuses writes (READONLY You can't write against a read only replica.): REDIS_URL reaches a replica, or a master that a failover demoted",
  ])

  const throughSentinel = await readyz(sentinel.url)
  assert.equal(throughSentinel.status, 200, JSON.stringify(throughSentinel.body))
})

test('on Sentinel an add resolves once a replica has the job; without a replica to confirm it, it is refused with the reason', { timeout: 30_000 }, async () => {
  const prefix = uniquePrefix('replica-acks')
  const factory = new BullServiceFactory({ redisUrl: sentinel.url, prefix, logger: new MemoryLogger() })
  try {
    const jobId = await factory.getQueueService().add('acked', { n: 1 })
    const master = await sentinel.masterPort()
    const replica = sentinel.dataPorts.find((port) => port !== master)!
    const onReplica = new Redis({ port: replica, lazyConnect: true })
    try {
      assert.equal(await onReplica.hget(`${prefix}:acked:${jobId}`, 'data'), '{"n":1}', 'the replica has the job when add resolves')
    } finally {
      onReplica.disconnect()
    }
  } finally {
    await factory.close()
  }

  // The shared test Redis has no replica.
  const alone = new BullServiceFactory({ redisUrl: REDIS_URL, prefix: uniquePrefix('replica-acks-alone'), logger: new MemoryLogger(), replicaAcks: 1, producerTimeoutMs: 300 })
  try {
    await assert.rejects(
      alone.getQueueService().add('acked', { n: 2 }),
      /Cannot add a job to queue 'acked': (0 of the 1 replica\(s\) it must reach confirmed|1 replica\(s\) did not confirm) the write within 300 ms \(Redis at \S+; a failover may be under way, or a replica is down\)\. It may still be stored, so retrying can add it twice/,
    )
  } finally {
    await alone.close()
  }
})

test('concurrent adds share WAITs; while no replica can confirm, each is refused within producerTimeoutMs instead of queueing behind the others', { timeout: 30_000 }, async () => {
  const master = await sentinel.masterPort()
  const waitCalls = async () => {
    const stats = new Redis({ port: master, lazyConnect: true })
    try {
      return Number(/cmdstat_wait:calls=(\d+)/.exec(await stats.info('commandstats'))?.[1] ?? 0)
    } finally {
      stats.disconnect()
    }
  }
  const factory = new BullServiceFactory({ redisUrl: sentinel.url, prefix: uniquePrefix('replica-acks-batch'), logger: new MemoryLogger() })
  try {
    const queue = factory.getQueueService()
    await queue.add('acked', { n: 0 })
    const before = await waitCalls()
    const ids = await Promise.all(Array.from({ length: 200 }, (_, n) => queue.add('acked', { n })))
    assert.equal(new Set(ids).size, 200)
    const waits = (await waitCalls()) - before
    assert.ok(waits < 100, `200 concurrent adds sent ${waits} WAITs`)
  } finally {
    await factory.close()
  }

  const alone = new BullServiceFactory({ redisUrl: REDIS_URL, prefix: uniquePrefix('replica-acks-queue'), logger: new MemoryLogger(), replicaAcks: 1, producerTimeoutMs: 300 })
  try {
    await alone.getQueueService().add('acked', { n: -1 }).catch(() => undefined)
    const started = Date.now()
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, n) => alone.getQueueService().add('acked', { n })))
    const elapsed = Date.now() - started
    assert.ok(outcomes.every(({ status }) => status === 'rejected'))
    // One WAIT after another would take 20 × 300 ms.
    assert.ok(elapsed < 1_500, `20 refused adds took ${elapsed} ms`)
  } finally {
    await alone.close()
  }
})

test('replicaAcks that is not a whole number is refused, from the option or REDIS_REPLICA_ACKS', (t) => {
  assert.throws(() => new BullServiceFactory({ redisUrl: REDIS_URL, replicaAcks: -1 }), /Invalid replicaAcks -1: expected a whole number of replicas/)
  process.env.REDIS_REPLICA_ACKS = 'one'
  t.after(() => delete process.env.REDIS_REPLICA_ACKS)
  assert.throws(() => new BullServiceFactory({ redisUrl: REDIS_URL }), /Invalid REDIS_REPLICA_ACKS=one: expected a whole number of replicas/)
})
