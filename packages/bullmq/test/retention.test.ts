import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { Queue } from 'bullmq'
import { createFactory, withWorkers, filePrefixes, REDIS_URL, setupPikku, waitFor, withRedis } from './helpers.js'

const logger = setupPikku({
  noop: { func: async () => 'done', config: { batchSize: 50 } },
  failing: {
    func: async () => {
      throw new Error('always fails')
    },
    config: { removeOnFail: 3 },
  },
})

const prefixes = filePrefixes()
const newPrefix = prefixes.next
after(prefixes.deleteAll)

/** Adds `count` jobs straight through BullMQ (fast, in chunks), as any producer could. */
async function addJobs(prefix: string, queueName: string, count: number, from = 0): Promise<void> {
  const queue = new Queue(queueName, { connection: { url: REDIS_URL }, prefix })
  try {
    for (let start = from; start < from + count; start += 1000) {
      const size = Math.min(1000, from + count - start)
      await queue.addBulk(Array.from({ length: size }, (_, i) => ({ name: queueName, data: { i: start + i } })))
    }
  } finally {
    await queue.close()
  }
}

async function drained(prefix: string, queueName: string, timeoutMs: number): Promise<void> {
  const queue = new Queue(queueName, { connection: { url: REDIS_URL }, prefix })
  try {
    await waitFor(async () => {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')
      return Object.values(counts).every((count) => count === 0)
    }, `queue '${queueName}' to drain`, timeoutMs)
  } finally {
    await queue.close()
  }
}

/** Keys under the prefix and the bytes Redis reports for them (MEMORY USAGE). */
async function footprint(prefix: string): Promise<{ keys: number; bytes: number }> {
  return withRedis(async (redis) => {
    let cursor = '0'
    let keys = 0
    let bytes = 0
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
      for (const key of batch) {
        keys++
        bytes += Number(await redis.call('MEMORY', 'USAGE', key)) || 0
      }
      cursor = next
    } while (cursor !== '0')
    return { keys, bytes }
  })
}

test('by default a queue keeps the last 1000 completed jobs and 10 000 failed ones, each within an age limit', { timeout: 60_000 }, async () => {
  const prefix = newPrefix('retention-default')
  await withWorkers(prefix, logger, async (factory) => {
    await addJobs(prefix, 'noop', 1200)
    await drained(prefix, 'noop', 30_000)
    const queue = factory.getQueueService().getQueue('noop')
    assert.equal(await queue.getCompletedCount(), 1000)
    const opts = factory.getQueueWorkers().getWorker('noop')!.opts
    assert.deepEqual(opts.removeOnComplete, { count: 1000, age: 86_400 })
    assert.deepEqual(opts.removeOnFail, { count: 10_000, age: 604_800 })
  })
})

test('retention is overridden per wiring (removeOnFail: 3) and per job (removeOnComplete: 2)', { timeout: 30_000 }, async () => {
  const prefix = newPrefix('retention-override')
  await withWorkers(prefix, logger, async (factory) => {
    const queueService = factory.getQueueService()
    const failedIds = []
    for (let i = 0; i < 6; i++) failedIds.push(await queueService.add('failing', { i }))
    for (let i = 0; i < 5; i++) await queueService.add('noop', { i }, { removeOnComplete: 2 })
    await drained(prefix, 'failing', 10_000)
    await drained(prefix, 'noop', 10_000)
    assert.equal(await queueService.getQueue('failing').getFailedCount(), 3)
    assert.equal(await queueService.getJob('failing', failedIds[0]!), null, 'the oldest failed job was removed')
    assert.equal(await queueService.getQueue('noop').getCompletedCount(), 2)
  })
})

test('Redis memory stays flat while 50 000 jobs run through a queue', { timeout: 180_000 }, async () => {
  const prefix = newPrefix('retention-memory')
  const factory = createFactory(prefix, logger)
  const samples: Array<{ jobs: number; keys: number; bytes: number }> = []
  try {
    await factory.getQueueWorkers().registerQueues()
    for (let done = 0; done < 50_000; done += 10_000) {
      await addJobs(prefix, 'noop', 10_000, done)
      await drained(prefix, 'noop', 120_000)
      samples.push({ jobs: done + 10_000, ...(await footprint(prefix)) })
    }
  } finally {
    await factory.close()
  }
  const [first] = samples
  const last = samples.at(-1)!
  // 1000 kept jobs + a few queue keys; the events stream is capped by BullMQ at about 10 000 entries.
  assert.ok(last.keys <= first!.keys + 10, `keys grew from ${first!.keys} to ${last.keys}: ${JSON.stringify(samples)}`)
  assert.ok(last.keys < 1100, `${last.keys} keys left after 50 000 jobs`)
  assert.ok(last.bytes < first!.bytes * 1.25, `memory grew from ${first!.bytes} to ${last.bytes} bytes: ${JSON.stringify(samples)}`)
  console.log(`retention footprint: ${JSON.stringify(samples)}`)
})
