import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { countConnections, createFactory, deleteKeys, setupPikku, uniquePrefix, waitFor } from './helpers.js'

const logger = setupPikku({
  fine: { func: async () => 'ok' },
  'zero-concurrency': { func: async () => 'ok', config: { batchSize: 0 } },
  'negative-drain': { func: async () => 'ok', config: { drainDelay: -1 } },
  'bad-defaults': { func: async () => 'ok', config: { jobDefaults: { backoff: { type: 'linear', delay: 100 } } } },
  'bad-limiter': { func: async () => 'ok', config: { limiter: { max: 0, duration: 1000 } } },
})

const prefix = uniquePrefix('register-errors')
after(() => deleteKeys(prefix))

test('registerQueues fails with one error naming every queue that could not start, and leaves nothing running', async () => {
  const factory = createFactory(prefix, logger)
  try {
    const workers = factory.getQueueWorkers()
    await assert.rejects(workers.registerQueues(), (error: Error) => {
      assert.match(error.message, /^Failed to start 4 queue worker\(s\):/)
      assert.match(error.message, /- zero-concurrency: Invalid worker config batchSize: 0, expected an integer >= 1/)
      assert.match(error.message, /- negative-drain: Invalid worker config drainDelay: -1, expected a number of seconds > 0/)
      assert.match(error.message, /- bad-defaults: Unsupported backoff type 'linear' for queue 'bad-defaults'/)
      assert.match(error.message, /- bad-limiter: Invalid worker config limiter: \{"max":0,"duration":1000\}, expected \{ max: an integer >= 1, duration: milliseconds > 0 \}/)
      assert.doesNotMatch(error.message, /fine/)
      return true
    })
    // The queue that did start was closed again.
    assert.equal(workers.getWorker('fine')?.isRunning(), false)
    await waitFor(async () => (await countConnections(prefix)) === 0, 'worker connections to close', 1000)
  } finally {
    await factory.close()
  }
})
