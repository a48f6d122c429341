import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { createFactory, deleteKeys, setupPikku, uniquePrefix } from './helpers.js'

const logger = setupPikku({
  quick: { func: async (_services, data: { n: number }) => ({ doubled: data.n * 2 }) },
})

const prefix = uniquePrefix('wait')
after(() => deleteKeys(prefix))

/**
 * As `npm run enqueue` does: a fresh producer per job, which adds a job that a
 * running worker finishes within milliseconds, then waits for its result.
 * Before the fix, about 1 in 100 waits timed out (13 of 1000).
 */
test('waiting for a result never misses a job that finished while the wait was starting', { timeout: 120_000 }, async () => {
  const worker = createFactory(prefix, logger)
  await worker.getQueueWorkers().registerQueues()
  const waits = Number(process.env.PIKKU_WAIT_TEST_COUNT ?? 1000)
  const parallel = 10
  const misses: string[] = []
  try {
    let next = 0
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < waits) {
          const n = next++
          const producer = createFactory(prefix, logger)
          try {
            const queueService = producer.getQueueService()
            const jobId = await queueService.add('quick', { n })
            const job = await queueService.getJob<{ n: number }, { doubled: number }>('quick', jobId)
            const result = await job!.waitForCompletion!(3000).catch((error: Error) => error)
            if (result instanceof Error) misses.push(`${jobId}: ${result.message}`)
            else assert.deepEqual(result, { doubled: n * 2 })
          } finally {
            await producer.close()
          }
        }
      })
    )
  } finally {
    await worker.close()
  }
  assert.deepEqual(misses, [], `${misses.length} of ${waits} waits missed the finished job`)
})
