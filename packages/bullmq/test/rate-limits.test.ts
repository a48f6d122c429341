import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { RateLimitedError } from '../src/index.js'
import { createFactory, withWorkers, deleteKeys, setupPikku, uniquePrefix } from './helpers.js'

const starts: number[] = []
const calls = new Map<string, number[]>()

const logger = setupPikku({
  // At most 2 jobs per 600 ms, whatever the concurrency and number of workers.
  limited: {
    func: async () => {
      starts.push(Date.now())
      return 'ok'
    },
    config: { batchSize: 5, limiter: { max: 2, duration: 600 } },
  },
  upstream: {
    func: async (_services, _data, wire) => {
      const times = [...(calls.get(wire.queue!.jobId) ?? []), Date.now()]
      calls.set(wire.queue!.jobId, times)
      // The first call is told "too many requests, retry in 400 ms".
      if (times.length === 1) throw new RateLimitedError(400, 'upstream answered 429')
      return `succeeded on call ${times.length}`
    },
  },
})

const prefix = uniquePrefix('rate')
after(() => deleteKeys(prefix))

test('the wiring limiter caps job starts per duration across every worker of the queue', { timeout: 30_000 }, async () => {
  const workers = [createFactory(prefix, logger), createFactory(prefix, logger)]
  try {
    for (const factory of workers) await factory.getQueueWorkers().registerQueues()
    const queueService = workers[0]!.getQueueService()
    const ids = []
    for (let i = 0; i < 6; i++) ids.push(await queueService.add('limited', { i }))
    for (const id of ids) await (await queueService.getJob('limited', id))!.waitForCompletion!(10_000)
    starts.sort((a, b) => a - b)
    assert.equal(starts.length, 6)
    // Any 3 consecutive starts span at least one window: never 3 within 600 ms.
    for (let i = 0; i + 2 < starts.length; i++) {
      const span = starts[i + 2]! - starts[i]!
      assert.ok(span >= 550, `starts ${i + 1}..${i + 3} within ${span} ms: ${starts.map((t) => t - starts[0]!).join(', ')}`)
    }
  } finally {
    for (const factory of workers) await factory.close()
  }
})

test('a function that throws RateLimitedError is retried after that delay without using an attempt', { timeout: 20_000 }, async () => {
  await withWorkers(prefix, logger, async (factory) => {
    const queueService = factory.getQueueService()
    // One attempt only: if the rate limit counted as a failure, the job would fail.
    const jobId = await queueService.add('upstream', {}, { attempts: 1 })
    const job = await queueService.getJob('upstream', jobId)
    assert.equal(await job!.waitForCompletion!(10_000), 'succeeded on call 2')
    const [first, second] = calls.get(jobId)!
    assert.ok(second! - first! >= 390, `second call ${second! - first!} ms after the first, expected >= 400`)
    assert.equal((await job!.metadata!()).attemptsMade, 1)
    assert.equal(logger.matching('info', new RegExp(`Queue 'upstream' paused for 400 ms: job ${jobId} was rate limited \\(upstream answered 429; retry after 400 ms\\)`)).length, 1)
    assert.equal(logger.entries.filter((entry) => entry.level === 'error' || entry.level === 'warn').length, 0)
  })
})
