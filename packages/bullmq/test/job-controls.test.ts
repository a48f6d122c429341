// wire.queue's job controls on a real Redis: the attempt number, the job's own
// log, and a flow parent's view of its children's results, on both attempt paths
// (plain jobs, and jobs that claim a user, which core's runQueueJob runs).
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { FlowProducer } from 'bullmq'
import { SignedQueueService } from '@pikku/core/queue'
import { LocalSecretService, LocalVariablesService } from '@pikku/core/services'
import { createFactory, filePrefixes, QUEUE_IDENTITY_SECRET, REDIS_URL, setupPikku } from './helpers.js'

const seen: Array<{ jobId: string; attempt: number; maxAttempts: number; pikkuUserId?: string }> = []

const logger = setupPikku({
  'flaky-step': {
    func: async (_services, _data, wire) => {
      const queue = wire.queue!
      seen.push({ jobId: queue.jobId, attempt: queue.attempt, maxAttempts: queue.maxAttempts, pikkuUserId: queue.pikkuUserId })
      await queue.log(`attempt ${queue.attempt} of ${queue.maxAttempts}`)
      if (queue.attempt < 2) throw new Error('not yet')
      return { ranOn: queue.attempt }
    },
  },
  'price-item': {
    func: async (_services, data: { sku: string; cents: number }) => ({ sku: data.sku, cents: data.cents }),
  },
  'total-order': {
    func: async (_services, _data, wire) => {
      const children = await wire.queue!.getChildrenValues<{ sku: string; cents: number }>()
      return { total: Object.values(children).reduce((sum, child) => sum + child.cents, 0), children: Object.keys(children).length }
    },
  },
})

const prefixes = filePrefixes()
after(() => prefixes.deleteAll())

test('wire.queue.attempt counts from 1 and log() writes to the job log, on plain and user-claiming jobs', async () => {
  const prefix = prefixes.next('controls')
  const factory = createFactory(prefix, logger)
  try {
    await factory.getQueueWorkers().registerQueues()
    const queueService = factory.getQueueService()
    const variables = new LocalVariablesService({ PIKKU_QUEUE_IDENTITY_SECRET: QUEUE_IDENTITY_SECRET })
    const signed = new SignedQueueService(queueService, new LocalSecretService(variables), logger)
    const options = { attempts: 3, backoff: { type: 'fixed', delay: 10 } }
    const plainId = await queueService.add('flaky-step', {}, options)
    const claimedId = await signed.add('flaky-step', {}, { ...options, pikkuUserId: 'user-7' })
    for (const jobId of [plainId, claimedId]) {
      const job = (await queueService.getJob('flaky-step', jobId))!
      assert.deepEqual(await job.waitForCompletion!(10_000), { ranOn: 2 })
      assert.deepEqual(seen.filter((entry) => entry.jobId === jobId).map(({ attempt, maxAttempts }) => [attempt, maxAttempts]), [[1, 3], [2, 3]])
      const { logs } = await queueService.getQueue('flaky-step').getJobLogs(jobId)
      assert.deepEqual(logs, ['attempt 1 of 3', 'attempt 2 of 3'])
    }
    assert.equal(seen.find((entry) => entry.jobId === claimedId)?.pikkuUserId, 'user-7', 'the claimed job went through core, which verified the user')
  } finally {
    await factory.close()
  }
})

test('a FlowProducer parent reads its children results with wire.queue.getChildrenValues()', async () => {
  const prefix = prefixes.next('flow')
  const factory = createFactory(prefix, logger)
  const flows = new FlowProducer({ connection: { url: REDIS_URL }, prefix })
  try {
    await factory.getQueueWorkers().registerQueues()
    const { job: parent } = await flows.add({
      name: 'order-1',
      queueName: 'total-order',
      data: {},
      children: [
        { name: 'a', queueName: 'price-item', data: { sku: 'a', cents: 250 } },
        { name: 'b', queueName: 'price-item', data: { sku: 'b', cents: 1000 } },
      ],
    })
    const job = (await factory.getQueueService().getJob('total-order', parent.id!))!
    assert.deepEqual(await job.waitForCompletion!(10_000), { total: 1250, children: 2 })
  } finally {
    await flows.close()
    await factory.close()
  }
})
