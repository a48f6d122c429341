// Proves the Cluster and Sentinel harnesses themselves: they start, a killed master is replaced by
// its replica, and data acknowledged by the replica survives. Each set-up runs on its own ports.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Cluster, Redis } from 'ioredis'
import { OwnRedisCluster } from './support/own-redis-cluster.js'
import { OwnRedisSentinel } from './support/own-redis-sentinel.js'

const KEY = '{t}:k'

describe('OwnRedisCluster', () => {
  const cluster = new OwnRedisCluster()
  const seeds = () => cluster.ports.map((port) => ({ host: '127.0.0.1', port }))
  let startMs = 0
  before(async () => {
    const started = Date.now()
    await cluster.start()
    startMs = Date.now() - started
  })
  after(() => cluster.destroy())

  test('a killed master fails over to its replica, which has the data', async (t) => {
    t.diagnostic(`6 nodes healthy ${startMs} ms after start()`)
    const writer = new Cluster(seeds())
    try {
      // WAIT on the connection that wrote: the replica has the value before its master is killed.
      const [[, set], [, replicas]] = (await writer.pipeline().set(KEY, 'v').wait(1, 5000).exec())!
      assert.deepEqual([set, replicas], ['OK', 1])
    } finally {
      writer.disconnect()
    }
    const owner = await cluster.ownerOf(KEY)
    await cluster.kill(owner)
    const { newOwner, ms } = await cluster.waitForFailover(owner, KEY)
    t.diagnostic(`slot of ${KEY} moved from ${owner} to ${newOwner} in ${ms} ms`)
    assert.notEqual(newOwner, owner)
    assert.equal(await cluster.ownerOf(KEY), newOwner)

    const reader = new Cluster(seeds())
    try {
      assert.equal(await reader.get(KEY), 'v')
    } finally {
      reader.disconnect()
    }
  })
})

describe('OwnRedisSentinel', () => {
  const sentinel = new OwnRedisSentinel()
  const client = () => new Redis({ sentinels: sentinel.sentinelPorts.map((port) => ({ host: '127.0.0.1', port })), name: sentinel.masterName })
  let startMs = 0
  before(async () => {
    const started = Date.now()
    await sentinel.start()
    startMs = Date.now() - started
  })
  after(() => sentinel.destroy())

  test('a killed master is replaced by the replica, which has the data', async (t) => {
    t.diagnostic(`master, replica and 3 sentinels acquainted ${startMs} ms after start()`)
    const writer = client()
    try {
      await writer.set(KEY, 'v')
      assert.equal(await writer.wait(1, 5000), 1)
    } finally {
      writer.disconnect()
    }
    const old = await sentinel.killMaster()
    const { newMaster, ms } = await sentinel.waitForNewMaster(old)
    t.diagnostic(`master moved from ${old} to ${newMaster} in ${ms} ms`)
    assert.notEqual(newMaster, old)
    assert.equal(await sentinel.masterPort(), newMaster)

    const reader = client()
    try {
      assert.equal(await reader.get(KEY), 'v')
    } finally {
      reader.disconnect()
    }
  })
})
