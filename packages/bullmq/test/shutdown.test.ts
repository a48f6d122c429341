import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { Queue, Worker } from 'bullmq'
import { BullServiceFactory } from '../src/index.js'
import { countConnections, createFactory, deferred, type Deferred, deleteKeys, REDIS_URL, setupPikku, uniquePrefix, waitFor, withRedis } from './helpers.js'

const started = new Map<string, Deferred>()
const releaseStuck = deferred()

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
    func: async (_services, data: { label: string }) => {
      startedSignal(data.label).resolve()
      await releaseStuck.promise
      return 'finished by the first worker'
    },
    // Short lock, so the abandoned job is handed back within about a second.
    config: { lockDuration: 1000 },
  },
})

const prefixes: string[] = []
function newPrefix(label: string): string {
  const prefix = uniquePrefix(label)
  prefixes.push(prefix)
  return prefix
}

after(async () => {
  releaseStuck.resolve()
  await Promise.all(prefixes.map(deleteKeys))
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

test('close() past its deadline forces, leaves the job active, and stalled-job detection recovers it', async () => {
  const prefix = newPrefix('forced')
  const factory = createFactory(prefix, logger)
  await factory.getQueueWorkers().registerQueues()
  const jobId = await factory.getQueueService().add('stuck', { label: 'stuck' }, { attempts: 2 })
  await startedSignal('stuck').promise

  const startedAt = Date.now()
  assert.deepEqual(await factory.close({ timeoutMs: 300 }), { forced: true })
  const elapsed = Date.now() - startedAt
  assert.ok(elapsed >= 290 && elapsed < 1500, `close took ${elapsed} ms`)
  assert.equal(logger.matching('warn', /Queue 'stuck': active jobs did not finish within 300 ms/).length, 1)
  await waitFor(async () => (await countConnections(prefix)) === 0, 'factory connections to close', 1000)

  await withQueue(prefix, 'stuck', async (queue) => {
    assert.equal(await queue.getJobState(jobId), 'active')

    // Any live worker on the queue hands the job back once its lock has expired. Stalled
    // checks run at most once per stalledInterval per queue (BullMQ default 30 s, started by
    // the first worker); deleting that throttle key stands in for waiting it out.
    await withRedis((redis) => redis.del(`${prefix}:stuck:stalled-check`))
    const stalled: string[] = []
    const rescuer = new Worker('stuck', async () => 'recovered', {
      connection: { url: REDIS_URL, maxRetriesPerRequest: null },
      prefix,
      stalledInterval: 200,
    })
    rescuer.on('stalled', (id) => stalled.push(id))
    try {
      await waitFor(async () => (await queue.getJobState(jobId)) === 'completed', 'the stalled job to be recovered', 5000)
    } finally {
      await rescuer.close()
    }
    assert.deepEqual(stalled, [jobId])

    // The abandoned first run finishing late must not overwrite the result.
    releaseStuck.resolve()
    await new Promise((resolve) => setTimeout(resolve, 50))
    const job = await queue.getJob(jobId)
    assert.equal(job!.returnvalue, 'recovered')
    assert.equal(await queue.getJobState(jobId), 'completed')
  })
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
