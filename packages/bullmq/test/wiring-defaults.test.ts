import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { SignedQueueService, type QueueService } from '@pikku/core/queue'
import { LocalSecretService, LocalVariablesService } from '@pikku/core/services'
import { toBullMQPriority } from '../src/index.js'
import { withWorkers, deleteKeys, QUEUE_IDENTITY_SECRET, setupPikku, uniquePrefix } from './helpers.js'

const runsPerJob = new Map<string, number>()
/** The queue service a function uses, as `services.queueService` would be. */
let servicesQueue: QueueService

const logger = setupPikku({
  flakyTwice: {
    func: async (_services, _data, wire) => {
      const run = (runsPerJob.get(wire.queue!.jobId) ?? 0) + 1
      runsPerJob.set(wire.queue!.jobId, run)
      if (run <= 2) throw new Error(`run ${run} fails`)
      return `done on run ${run}`
    },
    config: {
      jobDefaults: { attempts: 3, backoff: { type: 'fixed', delay: 20 }, priority: 5, removeOnComplete: 7 },
    },
  },
  fanOut: {
    func: async () => servicesQueue.add('flakyTwice', { from: 'fanOut' }),
  },
})

const prefix = uniquePrefix('defaults')
after(() => deleteKeys(prefix))

test('job defaults declared on the wiring apply to jobs added without options, under any option the job gives', { timeout: 20_000 }, async () => {
  await withWorkers(prefix, logger, async (factory) => {
    const queueService = factory.getQueueService()
    const jobId = await queueService.add('flakyTwice', {})
    assert.equal(await (await queueService.getJob('flakyTwice', jobId))!.waitForCompletion!(10_000), 'done on run 3')

    const stored = (await queueService.getQueue('flakyTwice').getJob(jobId))!.opts
    assert.equal(stored.attempts, 3)
    assert.deepEqual(stored.backoff, { type: 'fixed', delay: 20 })
    assert.equal(stored.priority, toBullMQPriority(5))
    assert.equal(stored.removeOnComplete, 7)

    const overridden = await queueService.add('flakyTwice', {}, { attempts: 1, priority: 9 })
    await assert.rejects((await queueService.getJob('flakyTwice', overridden))!.waitForCompletion!(10_000), /run 1 fails/)
    const overriddenOpts = (await queueService.getQueue('flakyTwice').getJob(overridden))!.opts
    assert.equal(overriddenOpts.attempts, 1)
    assert.equal(overriddenOpts.priority, toBullMQPriority(9))
    assert.deepEqual(overriddenOpts.backoff, { type: 'fixed', delay: 20 })
  })
})

test('a function adding a job through services.queueService (signed, as in the template) gets the wiring defaults too', { timeout: 20_000 }, async () => {
  await withWorkers(prefix, logger, async (factory) => {
    const secrets = new LocalSecretService(new LocalVariablesService({ PIKKU_QUEUE_IDENTITY_SECRET: QUEUE_IDENTITY_SECRET }))
    servicesQueue = new SignedQueueService(factory.getQueueService(), secrets, logger)
    const parentId = await servicesQueue.add('fanOut', {})
    const childId = (await (await servicesQueue.getJob<unknown, string>('fanOut', parentId))!.waitForCompletion!(10_000))
    assert.equal(await (await servicesQueue.getJob('flakyTwice', childId))!.waitForCompletion!(10_000), 'done on run 3')
    const stored = (await factory.getQueueService().getQueue('flakyTwice').getJob(childId))!.opts
    assert.equal(stored.attempts, 3)
  })
})
