import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { hostname } from 'node:os'
import { BullServiceFactory } from '../src/index.js'
import { createFactory, deleteKeys, REDIS_URL, setupPikku, uniquePrefix } from './helpers.js'

const logger = setupPikku({
  tuned: {
    func: async () => 'ok',
    config: {
      batchSize: 4,
      lockDuration: 5000,
      drainDelay: 2,
      removeOnComplete: 10,
      removeOnFail: 100,
      maxStalledCount: 3,
      prefetch: 8,
      visibilityTimeout: 30,
    },
  },
  manual: { func: async () => 'ok', config: { autorun: false } },
})

const prefix = uniquePrefix('config')
after(() => deleteKeys(prefix))

test('wiring config maps to BullMQ worker options; unsupported keys are reported, not applied', async () => {
  const factory = createFactory(prefix, logger)
  try {
    const workers = factory.getQueueWorkers()
    assert.equal(workers.name, 'bullmq')
    assert.equal(workers.supportsResults, true)
    const validation = await workers.registerQueues()

    const opts = workers.getWorker('tuned')!.opts
    assert.equal(opts.concurrency, 4)
    assert.equal(opts.lockDuration, 5000)
    assert.equal(opts.drainDelay, 2)
    // A count from the wiring keeps the default age limit.
    assert.deepEqual(opts.removeOnComplete, { count: 10, age: 86_400 })
    assert.deepEqual(opts.removeOnFail, { count: 100, age: 604_800 })
    assert.equal(opts.maxStalledCount, 3)
    assert.equal(opts.prefix, prefix)

    const [result] = validation['tuned']!
    assert.deepEqual(result!.ignored, { prefetch: 8, visibilityTimeout: 30 })
    assert.equal(result!.warnings.length, 2)
    assert.match(result!.warnings.join('\n'), /prefetch: BullMQ does not prefetch jobs/)
    assert.match(result!.warnings.join('\n'), /visibilityTimeout: BullMQ uses job locks/)

    // Stall detection defaults that bring a crashed worker's jobs back within about 35 s.
    const manual = workers.getWorker('manual')!
    assert.equal(manual.opts.lockDuration, 20_000)
    assert.equal(manual.opts.stalledInterval, 15_000)
    assert.equal(opts.stalledInterval, 15_000, 'a wiring that sets lockDuration keeps the default stalledInterval')

    // autorun: false starts a connected worker that waits for run().
    assert.equal(manual.isRunning(), false)
    assert.equal(workers.getWorker('tuned')!.isRunning(), true)

    await assert.rejects(workers.registerQueues(), /already called/)
  } finally {
    await factory.close()
  }
})

test('workers are named after their queue and process, as queue.getWorkers() (and Bull Board) show them', async () => {
  const factory = createFactory(prefix, logger)
  const named = new BullServiceFactory({ redisUrl: REDIS_URL, prefix, logger, workerName: 'reports worker 2' })
  try {
    await factory.getQueueWorkers().registerQueues()
    const queue = factory.getQueueService().getQueue('tuned')
    const [worker] = await queue.getWorkers()
    assert.equal(worker?.rawname, `${prefix}:${Buffer.from('tuned').toString('base64')}:w:tuned@${hostname()}:${process.pid}`)

    await named.getQueueWorkers().registerQueues()
    const names = (await queue.getWorkers()).map((client) => client.rawname)
    assert.ok(names.some((name) => name?.endsWith(':w:tuned@reports_worker_2')), names.join(', '))
  } finally {
    await named.close()
    await factory.close()
  }
})
