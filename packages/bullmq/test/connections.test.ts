import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { countConnections, createFactory, deleteKeys, setupPikku, uniquePrefix, waitFor } from './helpers.js'

const logger = setupPikku({
  first: { func: async () => 'first' },
  second: { func: async () => 'second' },
  third: { func: async () => 'third' },
})

const prefix = uniquePrefix('connections')
after(() => deleteKeys(prefix))

/**
 * The numbers the README gives for hosted Redis plans that cap connections:
 * 2 per wired queue (a worker's command and blocking connections), 1 shared
 * by every producer queue, and 1 per queue whose results are awaited.
 */
test('a worker process opens 2 connections per wired queue, 1 for all producers, 1 per queue it waits on', { timeout: 20_000 }, async () => {
  const factory = createFactory(prefix, logger)
  try {
    await factory.init()
    await factory.getQueueWorkers().registerQueues()
    await waitFor(async () => (await countConnections(prefix)) === 6, '2 connections for each of the 3 workers')

    const queueService = factory.getQueueService()
    assert.equal(await countConnections(prefix), 6, 'a queue service that has added nothing holds no connection')
    const ids = await Promise.all(['first', 'second', 'third'].map((queueName) => queueService.add(queueName, {})))
    assert.equal(await countConnections(prefix), 7, 'the producer queues share one connection')

    await (await queueService.getJob('first', ids[0]!))!.waitForCompletion!(5000)
    await (await queueService.getJob('first', ids[0]!))!.waitForCompletion!(5000)
    assert.equal(await countConnections(prefix), 8, 'one queue-events connection for the queue waited on')
  } finally {
    await factory.close()
  }
  await waitFor(async () => (await countConnections(prefix)) === 0, 'every connection to close', 2000)
})
