import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { createFactory, withWorkers, filePrefixes, setupPikku } from './helpers.js'

const order: string[] = []

const logger = setupPikku({
  ordered: {
    func: async (_services, data: { label: string }) => {
      order.push(data.label)
      return data.label.toUpperCase()
    },
    config: { bullmq: { stalledInterval: 12_345, metrics: { maxDataPoints: 10 } } },
  },
})

const prefixes = filePrefixes()
const newPrefix = prefixes.next
after(prefixes.deleteAll)

test('addBulk adds every job in one call, in order, each with its own options; one invalid option adds none', async () => {
  const factory = createFactory(newPrefix('bulk'), logger)
  try {
    const queueService = factory.getQueueService()
    await assert.rejects(
      queueService.addBulk('ordered', [{ data: { label: 'ok' } }, { data: { label: 'bad' }, options: { attempts: 0 } }]),
      /Invalid job option attempts for queue 'ordered'/
    )
    assert.equal(await queueService.getQueue('ordered').count(), 0)

    const ids = await queueService.addBulk('ordered', [
      { data: { label: 'a' } },
      { data: { label: 'b' }, options: { jobId: 'bulk-b', attempts: 2 } },
      { data: { label: 'c' } },
    ])
    assert.equal(ids.length, 3)
    assert.equal(ids[1], 'bulk-b')
    assert.equal((await queueService.getQueue('ordered').getJob('bulk-b'))!.opts.attempts, 2)
    await factory.getQueueWorkers().registerQueues()
    const results = await Promise.all(ids.map(async (id) => (await queueService.getJob('ordered', id))!.waitForCompletion!(5000)))
    assert.deepEqual(results, ['A', 'B', 'C'])
  } finally {
    await factory.close()
  }
})

test('deduplication: a second job with the same deduplication id is not added while the first exists', async () => {
  const factory = createFactory(newPrefix('dedup'), logger)
  try {
    const queueService = factory.getQueueService()
    const first = await queueService.add('ordered', { label: 'first' }, { deduplication: { id: 'order-7' } })
    const second = await queueService.add('ordered', { label: 'second' }, { deduplication: { id: 'order-7' } })
    assert.equal(second, first)
    assert.equal(await queueService.getQueue('ordered').count(), 1)
    assert.deepEqual((await queueService.getJob('ordered', first))!.data, { label: 'first' })
  } finally {
    await factory.close()
  }
})

test('lifo: a job added with lifo runs before those already waiting', async () => {
  const factory = createFactory(newPrefix('lifo'), logger)
  try {
    const queueService = factory.getQueueService()
    order.length = 0
    await queueService.add('ordered', { label: 'one' })
    await queueService.add('ordered', { label: 'two' })
    const urgent = await queueService.add('ordered', { label: 'urgent' }, { lifo: true })
    await factory.getQueueWorkers().registerQueues()
    await (await queueService.getJob('ordered', urgent))!.waitForCompletion!(5000)
    await (await queueService.getJob('ordered', '2'))!.waitForCompletion!(5000)
    assert.deepEqual(order, ['urgent', 'one', 'two'])
  } finally {
    await factory.close()
  }
})

test('raw BullMQ options pass through: WorkerOptions from the wiring, JobsOptions from the job', async () => {
  await withWorkers(newPrefix('raw'), logger, async (factory) => {
    const opts = factory.getQueueWorkers().getWorker('ordered')!.opts
    assert.equal(opts.stalledInterval, 12_345)
    assert.deepEqual(opts.metrics, { maxDataPoints: 10 })
    const queueService = factory.getQueueService()
    const jobId = await queueService.add('ordered', { label: 'raw' }, { bullmq: { keepLogs: 3, removeOnComplete: { age: 60 } } })
    const stored = (await queueService.getQueue('ordered').getJob(jobId))!.opts
    assert.equal(stored.keepLogs, 3)
    assert.deepEqual(stored.removeOnComplete, { age: 60 })
  })
})
