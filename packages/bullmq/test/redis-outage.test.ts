import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BullServiceFactory } from '../src/index.js'
import { setupPikku, startOwnRedis, uniquePrefix } from './helpers.js'

const logger = setupPikku({
  echo: { func: async (_services, data: { n: number }) => ({ echoed: data.n }) },
})

async function timed<T>(promise: Promise<T>): Promise<{ outcome: T | Error; ms: number }> {
  const startedAt = Date.now()
  const outcome = await promise.catch((error: Error) => error)
  return { outcome, ms: Date.now() - startedAt }
}

test('a producer rejects within producerTimeoutMs when Redis is unreachable, naming the URL without its password', { timeout: 20_000 }, async () => {
  const factory = new BullServiceFactory({
    redisUrl: 'redis://app:s3cret@127.0.0.1:1',
    prefix: uniquePrefix('unreachable'),
    logger,
    producerTimeoutMs: 300,
  })
  const queueService = factory.getQueueService()
  const added = await timed(queueService.add('echo', { n: 1 }))
  assert.ok(added.outcome instanceof Error, 'add() rejected')
  assert.match(added.outcome.message, /^Cannot add a job to queue 'echo': Redis at redis:\/\/app:\*\*\*@127\.0\.0\.1:1 did not answer within 300 ms \(.*ECONNREFUSED.*\)/)
  assert.doesNotMatch(added.outcome.message, /s3cret/)
  assert.ok(added.ms >= 290 && added.ms < 3000, `add() rejected after ${added.ms} ms`)

  const read = await timed(queueService.getJob('echo', '1'))
  assert.ok(read.outcome instanceof Error && /Cannot read job 1 of queue 'echo'/.test(read.outcome.message))
  // The outage is logged once, not once per reconnection attempt.
  assert.equal(logger.matching('warn', /not reachable for producers/).length, 1)

  const closed = await timed(factory.close())
  assert.ok(closed.ms < 2000, `close() took ${closed.ms} ms`)
})

test('workers wait through a Redis outage and resume; producers fail fast meanwhile and work again after', { timeout: 60_000 }, async () => {
  const redis = await startOwnRedis()
  const prefix = uniquePrefix('outage')
  const workers = new BullServiceFactory({ redisUrl: redis.url, prefix, logger })
  const producers = new BullServiceFactory({ redisUrl: redis.url, prefix, logger, producerTimeoutMs: 500 })
  try {
    await workers.init()
    await workers.getQueueWorkers().registerQueues()
    const queueService = producers.getQueueService()
    const before = await queueService.add('echo', { n: 1 })
    assert.deepEqual(await (await queueService.getJob('echo', before))!.waitForCompletion!(5000), { echoed: 1 })

    await redis.stop()
    const during = await timed(queueService.add('echo', { n: 2 }))
    assert.ok(during.outcome instanceof Error, 'add() rejected while Redis was down')
    assert.match(during.outcome.message, new RegExp(`^Cannot add a job to queue .echo.: Redis at redis://127\\.0\\.0\\.1:${redis.port} (did not answer within 500 ms|is not reachable)`))
    assert.ok(during.ms < 3000, `add() rejected after ${during.ms} ms`)

    await redis.restart()
    // The worker reconnects by itself and takes jobs added after the outage.
    const after = await queueService.add('echo', { n: 3 })
    assert.deepEqual(await (await queueService.getJob('echo', after))!.waitForCompletion!(20_000), { echoed: 3 })
  } finally {
    await producers.close()
    await workers.close({ timeoutMs: 2000 })
    await redis.stop()
  }
})
