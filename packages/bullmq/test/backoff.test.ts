import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { Queue } from 'bullmq'
import { createFactory, withWorkers, deleteKeys, REDIS_URL, setupPikku, uniquePrefix, waitFor } from './helpers.js'

const runs: number[] = []

const logger = setupPikku({
  plain: {
    func: async () => {
      throw new Error('plain fails')
    },
  },
  linear: {
    func: async () => {
      runs.push(Date.now())
      throw new Error('linear fails')
    },
    config: {
      // Waits delay, 2 × delay, 3 × delay…
      backoffStrategies: { linear: ({ attemptsMade, delay }) => attemptsMade * (delay ?? 100) },
    },
  },
})

const prefix = uniquePrefix('backoff')
after(() => deleteKeys(prefix))

test('a backoff type nobody declared is rejected when the job is added', async () => {
  const factory = createFactory(prefix, logger)
  try {
    await assert.rejects(
      factory.getQueueService().add('plain', {}, { attempts: 3, backoff: { type: 'linear', delay: 10 } }),
      /^Error: Unsupported backoff type 'linear' for queue 'plain': use 'fixed' or 'exponential', or declare 'linear' under config.backoffStrategies/
    )
    assert.equal(await factory.getQueueService().getQueue('plain').count(), 0)
  } finally {
    await factory.close()
  }
})

test('a custom backoff declared on the wiring sets the delay between attempts', { timeout: 20_000 }, async () => {
  await withWorkers(prefix, logger, async (factory) => {
    const queueService = factory.getQueueService()
    const jobId = await queueService.add('linear', {}, { attempts: 3, backoff: { type: 'linear', delay: 150 } })
    const job = await queueService.getJob('linear', jobId)
    await assert.rejects(job!.waitForCompletion!(10_000), /linear fails/)
    assert.equal(runs.length, 3)
    const [gap1, gap2] = [runs[1]! - runs[0]!, runs[2]! - runs[1]!]
    assert.ok(gap1 >= 145 && gap1 < 2000, `first retry after ${gap1} ms, expected about 150`)
    assert.ok(gap2 >= 295 && gap2 < 2000, `second retry after ${gap2} ms, expected about 300`)
  })
})

test('a job from another producer with an undeclared backoff type fails instead of staying active', { timeout: 20_000 }, async () => {
  const factory = createFactory(prefix, logger)
  const foreign = new Queue('plain', { connection: { url: REDIS_URL }, prefix })
  try {
    await factory.getQueueWorkers().registerQueues()
    const added = await foreign.add('plain', {}, { attempts: 3, backoff: { type: 'linear', delay: 10 } })
    await waitFor(async () => (await foreign.getJobState(added.id!)) === 'failed', 'the job to fail', 5000)
    assert.equal((await foreign.getJob(added.id!))!.attemptsMade, 1)
    assert.equal(logger.matching('error', new RegExp(`Job ${added.id} in queue 'plain' has backoff type 'linear', which its wiring does not declare`)).length, 1)
  } finally {
    await foreign.close()
    await factory.close()
  }
})
