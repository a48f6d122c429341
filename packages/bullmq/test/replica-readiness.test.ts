// /readyz on a Sentinel set-up: a PING passes on a replica, but jobs move only where writes are taken,
// so a REDIS_URL that reaches a replica is not ready, and the Sentinel URL of the same set-up is.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { OwnRedisSentinel } from '../../../test/support/own-redis-sentinel.js'
import { BullServiceFactory, startMonitoringServer } from '../src/index.js'
import { MemoryLogger, uniquePrefix } from './helpers.js'

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
