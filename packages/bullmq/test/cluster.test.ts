// pikku-bullmq on Redis Clusters of the test's own: schedules tick (their queue, worker and reconcile
// lock all in the prefix's slot); with replicaAcks, each add is confirmed by the
// replica of the master that owns the prefix's slot (WAIT must go to the connection that wrote), and
// a Cluster whose masters have no replica refuses adds with the reason.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Redis } from 'ioredis'
import { OwnRedisCluster } from '../../../test/support/own-redis-cluster.js'
import { BullServiceFactory } from '../src/index.js'
import { MemoryLogger, waitFor } from './helpers.js'
import { setupSchedules } from './schedule-wiring.js'

async function waitCalls(port: number): Promise<number> {
  const client = new Redis({ port, lazyConnect: true })
  try {
    return Number(/cmdstat_wait:calls=(\d+)/.exec(await client.info('commandstats'))?.[1] ?? 0)
  } finally {
    client.disconnect()
  }
}

describe('a Cluster with a replica per master', () => {
  const cluster = new OwnRedisCluster()
  before(() => cluster.start())
  after(() => cluster.destroy())

  test('a 1-second schedule ticks on the Cluster', { timeout: 30_000 }, async () => {
    const runs: number[] = []
    const logger = setupSchedules([{ name: 'cluster-tick', schedule: '* * * * * *', func: async () => void runs.push(Date.now()) }])
    const factory = new BullServiceFactory({ redisUrl: cluster.url, prefix: `{ticks-${process.pid}}`, logger })
    try {
      await factory.getSchedulerService().start()
      await waitFor(() => runs.length >= 2, 'two ticks', 10_000)
      assert.deepEqual(logger.matching('error', /./), [])
    } finally {
      await factory.close({ timeoutMs: 2_000 })
    }
  })

  test('replicaAcks 1: adds resolve once the slot master’s replica has them, through WAITs on that master', { timeout: 30_000 }, async () => {
    const prefix = `{acks-${process.pid}}`
    const factory = new BullServiceFactory({ redisUrl: cluster.url, prefix, logger: new MemoryLogger(), replicaAcks: 1 })
    try {
      const owner = await cluster.ownerOf(`${prefix}:x`)
      const before = await waitCalls(owner)
      const ids = await Promise.all(Array.from({ length: 50 }, (_, n) => factory.getQueueService().add('acked', { n })))
      assert.equal(new Set(ids).size, 50)
      const waits = (await waitCalls(owner)) - before
      assert.ok(waits >= 1 && waits < 50, `the slot master ran ${waits} WAITs for 50 concurrent adds`)
    } finally {
      await factory.close()
    }
  })
})

describe('a Cluster of masters only', () => {
  const cluster = new OwnRedisCluster({ replicasPerMaster: 0 })
  before(() => cluster.start())
  after(() => cluster.destroy())

  test('replicaAcks 1: an add is refused, saying no replica confirmed it', { timeout: 30_000 }, async () => {
    const factory = new BullServiceFactory({ redisUrl: cluster.url, prefix: `{acks-alone-${process.pid}}`, logger: new MemoryLogger(), replicaAcks: 1, producerTimeoutMs: 500 })
    try {
      await assert.rejects(factory.getQueueService().add('acked', { n: 1 }), /Cannot add a job to queue 'acked': (0 of the 1 replica\(s\) it must reach confirmed|1 replica\(s\) did not confirm) the write within 500 ms \(Redis at redis\+cluster:\/\//)
    } finally {
      await factory.close()
    }
  })
})
