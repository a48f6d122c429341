import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { SignedQueueService } from '@pikku/core/queue'
import { LocalSecretService, LocalVariablesService } from '@pikku/core/services'
import { JobTimeoutError } from '../src/index.js'
import { withWorkers, deleteKeys, setupPikku, uniquePrefix, QUEUE_IDENTITY_SECRET } from './helpers.js'

/** Per job id: how each run ended, and why its signal was aborted. */
const runs = new Map<string, Array<{ outcome: 'finished' | 'aborted'; reason?: unknown; pikkuUserId?: string }>>()

const logger = setupPikku({
  slow: {
    func: async (_services, data: { ms: number }, wire) => {
      const signal = wire.queue!.signal!
      const record = { outcome: 'finished' as 'finished' | 'aborted', reason: undefined as unknown, pikkuUserId: wire.queue!.pikkuUserId }
      runs.set(wire.queue!.jobId, [...(runs.get(wire.queue!.jobId) ?? []), record])
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, data.ms)
        // A well-behaved job stops when its signal aborts.
        signal.addEventListener('abort', () => {
          clearTimeout(timer)
          record.outcome = 'aborted'
          record.reason = signal.reason
          resolve()
        })
      })
      return `slept ${data.ms} ms`
    },
    config: { timeout: 300 },
  },
})

const prefix = uniquePrefix('timeouts')
after(() => deleteKeys(prefix))

test('an attempt past the wiring timeout fails with a clear reason, aborts its signal and is retried', { timeout: 20_000 }, async () => {
  await withWorkers(prefix, logger, async (factory) => {
    const queueService = factory.getQueueService()
    const jobId = await queueService.add('slow', { ms: 10_000 }, { attempts: 2, backoff: { type: 'fixed', delay: 10 } })
    const job = await queueService.getJob('slow', jobId)
    const startedAt = Date.now()
    await assert.rejects(job!.waitForCompletion!(10_000), new RegExp(`^Error: Job ${jobId} in queue 'slow' timed out after 300 ms$`))
    const elapsed = Date.now() - startedAt
    assert.ok(elapsed >= 590 && elapsed < 5000, `two attempts took ${elapsed} ms`)
    const seen = runs.get(jobId)!
    assert.equal(seen.length, 2)
    for (const run of seen) {
      assert.equal(run.outcome, 'aborted')
      assert.ok(run.reason instanceof JobTimeoutError)
    }
    assert.equal((await job!.metadata!()).attemptsMade, 2)
    assert.equal(logger.matching('warn', new RegExp(`Job ${jobId} in queue 'slow' failed \\(attempt 1/2\\), will retry: .*timed out after 300 ms`)).length, 1)
  })
})

test("a job's own timeout wins over the wiring's; a job within its timeout completes", { timeout: 20_000 }, async () => {
  await withWorkers(prefix, logger, async (factory) => {
    const queueService = factory.getQueueService()
    const shortId = await queueService.add('slow', { ms: 10_000 }, { timeout: 100 })
    await assert.rejects((await queueService.getJob('slow', shortId))!.waitForCompletion!(5000), /timed out after 100 ms/)

    const longId = await queueService.add('slow', { ms: 500 }, { timeout: 5000 })
    assert.equal(await (await queueService.getJob('slow', longId))!.waitForCompletion!(5000), 'slept 500 ms')
    assert.deepEqual(runs.get(longId)!.map((run) => run.outcome), ['finished'])
  })
})

test('a job that claims a user (run by core, which verifies the claim) gets its signal and timeout too', { timeout: 20_000 }, async () => {
  await withWorkers(prefix, logger, async (factory) => {
    const secrets = new LocalSecretService(new LocalVariablesService({ PIKKU_QUEUE_IDENTITY_SECRET: QUEUE_IDENTITY_SECRET }))
    const signed = new SignedQueueService(factory.getQueueService(), secrets, logger)
    const jobId = await signed.add('slow', { ms: 10_000 }, { pikkuUserId: 'user-7', timeout: 200 })
    await assert.rejects((await signed.getJob('slow', jobId))!.waitForCompletion!(5000), /timed out after 200 ms/)
    const [run] = runs.get(jobId)!
    assert.equal(run!.pikkuUserId, 'user-7')
    assert.equal(run!.outcome, 'aborted')
    assert.ok(run!.reason instanceof JobTimeoutError)
  })
})

test('cancelJob aborts the signal of a running job; the job ends as its function decides', { timeout: 20_000 }, async () => {
  await withWorkers(prefix, logger, async (factory) => {
    const queueService = factory.getQueueService()
    const workers = factory.getQueueWorkers()
    // Its own timeout, longer than the run, so only the cancel can abort it.
    const jobId = await queueService.add('slow', { ms: 10_000 }, { timeout: 20_000 })
    const job = await queueService.getJob('slow', jobId)
    while (!runs.has(jobId)) await new Promise((resolve) => setTimeout(resolve, 10))
    assert.equal(workers.cancelJob('slow', jobId, 'not needed any more'), true)
    assert.equal(await job!.waitForCompletion!(5000), 'slept 10000 ms', 'this function returns when aborted')
    assert.deepEqual(runs.get(jobId)!.map(({ outcome, reason }) => [outcome, reason]), [['aborted', 'not needed any more']])
    assert.equal(workers.cancelJob('slow', jobId), false, 'a job no longer running')
  })
})
