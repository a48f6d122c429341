import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { Queue } from 'bullmq'
import { BullServiceFactory } from '../src/index.js'
import { countConnections, createFactory, deferred, type Deferred, filePrefixes, REDIS_URL, setupPikku, waitFor } from './helpers.js'

const started = new Map<string, Deferred>()
const releaseStuck = deferred()
const stuckRuns: Array<{ aborted: boolean }> = []
let stuckJobId = ''

function startedSignal(label: string) {
  let signal = started.get(label)
  if (!signal) started.set(label, (signal = deferred()))
  return signal
}

const logger = setupPikku({
  steady: {
    func: async (_services, data: { label: string; ms: number }) => {
      startedSignal(data.label).resolve()
      await new Promise((resolve) => setTimeout(resolve, data.ms))
      return `finished ${data.label}`
    },
  },
  stuck: {
    func: async (_services, _data: { label: string }, wire) => {
      const run = { aborted: false }
      stuckRuns.push(run)
      wire.queue?.signal?.addEventListener('abort', () => (run.aborted = true))
      // The first two runs outlast the shutdown deadline.
      if (stuckRuns.length <= 2) await releaseStuck.promise
      return `finished on run ${stuckRuns.length}`
    },
  },
})

const prefixes = filePrefixes()
const newPrefix = prefixes.next

after(async () => {
  releaseStuck.resolve()
  await prefixes.deleteAll()
})

/** Reads job state with a plain BullMQ queue that is not part of the factory under test. */
async function withQueue<T>(prefix: string, name: string, fn: (queue: Queue) => Promise<T>): Promise<T> {
  const queue = new Queue(name, { connection: { url: REDIS_URL }, prefix })
  try {
    return await fn(queue)
  } finally {
    await queue.close()
  }
}

test('close() lets an in-flight job finish, takes no new jobs, and closes every connection', async () => {
  const prefix = newPrefix('graceful')
  const factory = createFactory(prefix, logger)
  await factory.init()
  await factory.getQueueWorkers().registerQueues()
  const queueService = factory.getQueueService()
  const inFlightId = await queueService.add('steady', { label: 'in-flight', ms: 400 })
  // Open the lazily created queue events too, so close() has to close them.
  const inFlight = await queueService.getJob('steady', inFlightId)
  const completion = inFlight!.waitForCompletion!(5000)
  await startedSignal('in-flight').promise
  assert.ok((await countConnections(prefix)) >= 4, 'queue, queue events and worker connections are open')

  const startedAt = Date.now()
  const closing = factory.close({ timeoutMs: 5000 })
  // Added while the workers shut down: it must stay queued for the next start.
  const lateId = await withQueue(prefix, 'steady', async (queue) => (await queue.add('late', { label: 'late', ms: 0 })).id!)
  assert.deepEqual(await closing, { forced: false })
  assert.ok(Date.now() - startedAt >= 250, 'close waited for the active job')
  assert.equal(await completion, 'finished in-flight')

  await waitFor(async () => (await countConnections(prefix)) === 0, 'factory connections to close', 1000)
  await withQueue(prefix, 'steady', async (queue) => {
    assert.equal(await queue.getJobState(inFlightId), 'completed')
    assert.equal(await queue.getJobState(lateId), 'waiting')
  })
  assert.equal(started.has('late'), false)

  // Safe to call twice; the factory does not hand out new services afterwards.
  assert.deepEqual(await factory.close(), { forced: false })
  assert.throws(() => factory.getQueueService(), /closed/)
})

test('forced shutdowns hand the unfinished job back to waiting without counting a stall, however often they happen', async () => {
  const prefix = newPrefix('forced')
  // Two forced deploys during one long job: with the default maxStalledCount of 1, counting
  // them as stalls would fail the job.
  for (const deploy of [1, 2]) {
    const factory = createFactory(prefix, logger)
    await factory.getQueueWorkers().registerQueues()
    if (deploy === 1) stuckJobId = await factory.getQueueService().add('stuck', { label: 'stuck' })
    await waitFor(() => stuckRuns.length === deploy, `run ${deploy} of the stuck job to start`)

    const startedAt = Date.now()
    assert.deepEqual(await factory.close({ timeoutMs: 300 }), { forced: true })
    const elapsed = Date.now() - startedAt
    assert.ok(elapsed >= 290 && elapsed < 3000, `close took ${elapsed} ms`)
    assert.equal(
      logger.matching('warn', new RegExp(`Queue 'stuck': active jobs did not finish within 300 ms; closing anyway. Moved back to waiting: ${stuckJobId}\\.$`)).length,
      deploy
    )
    await waitFor(async () => (await countConnections(prefix)) === 0, 'factory connections to close', 1000)
    // The abandoned run was told to stop.
    assert.equal(stuckRuns[deploy - 1]!.aborted, true)

    await withQueue(prefix, 'stuck', async (queue) => {
      assert.equal(await queue.getJobState(stuckJobId), 'waiting')
      const job = await queue.getJob(stuckJobId)
      assert.equal(job!.stalledCounter, 0)
      assert.equal(job!.attemptsMade, 0)
    })
  }

  // The next deploy finishes it; the abandoned runs finishing late change nothing.
  const factory = createFactory(prefix, logger)
  try {
    await factory.getQueueWorkers().registerQueues()
    const job = await factory.getQueueService().getJob('stuck', stuckJobId)
    assert.equal(await job!.waitForCompletion!(5000), 'finished on run 3')
    releaseStuck.resolve()
    await new Promise((resolve) => setTimeout(resolve, 50))
    await withQueue(prefix, 'stuck', async (queue) => {
      assert.equal(await queue.getJobState(stuckJobId), 'completed')
      assert.equal((await queue.getJob(stuckJobId))!.returnvalue, 'finished on run 3')
    })
  } finally {
    await factory.close()
  }
  assert.equal(logger.matching('warn', /stalled/).length, 0)
})

test('init() keeps retrying an unreachable Redis, logging each failure, until closed', async () => {
  const factory = new BullServiceFactory({ redisUrl: 'redis://127.0.0.1:1', logger, prefix: newPrefix('unreachable') })
  const init = factory.init()
  try {
    await waitFor(() => logger.matching('warn', /not reachable \(attempt 2:/).length > 0, 'a second failed attempt', 3000)
    assert.match(logger.matching('warn', /not reachable \(attempt 1:/)[0]!.message, /ECONNREFUSED/)
  } finally {
    assert.deepEqual(await factory.close(), { forced: false })
  }
  await assert.rejects(init, /closed before Redis answered/)
})
