import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { createFactory, deleteKeys, setupPikku, uniquePrefix, waitFor } from './helpers.js'

const order: string[] = []
const logger = setupPikku({
  ranked: {
    func: async (_services, data: { label: string }) => {
      order.push(data.label)
    },
    config: { batchSize: 1 },
  },
})

const prefix = uniquePrefix('priority')
after(() => deleteKeys(prefix))

test('higher pikku priority runs first; jobs without a priority run before prioritized ones', async () => {
  const factory = createFactory(prefix, logger)
  try {
    const queueService = factory.getQueueService()
    // Added before any worker exists, so the order is decided by priority alone.
    await queueService.add('ranked', { label: 'p1' }, { priority: 1 })
    await queueService.add('ranked', { label: 'p10' }, { priority: 10 })
    await queueService.add('ranked', { label: 'p-5' }, { priority: -5 })
    await queueService.add('ranked', { label: 'p5' }, { priority: 5 })
    await queueService.add('ranked', { label: 'none' })

    await factory.getQueueWorkers().registerQueues()
    assert.equal(factory.getQueueWorkers().getWorker('ranked')?.concurrency, 1)
    await waitFor(() => order.length === 5, 'all five jobs to run')
    assert.deepEqual(order, ['none', 'p10', 'p5', 'p1', 'p-5'])
  } finally {
    await factory.close()
  }
})
