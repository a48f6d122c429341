import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { Queue } from 'bullmq'
import { SignedQueueService } from '@pikku/core/queue'
import { LocalSecretService, LocalVariablesService } from '@pikku/core/services'
import { createFactory, filePrefixes, QUEUE_IDENTITY_SECRET, REDIS_URL, setupPikku, waitFor } from './helpers.js'

const seenByWorker: Array<{ queueName?: string; jobId?: string; pikkuUserId?: string; data: unknown }> = []

const logger = setupPikku({
  echo: {
    func: async (_services, data, wire) => {
      seenByWorker.push({ queueName: wire.queue?.queueName, jobId: wire.queue?.jobId, pikkuUserId: wire.queue?.pikkuUserId, data })
      await wire.queue?.updateProgress({ step: 'done' })
      return { echoed: data }
    },
  },
})

const prefixes = filePrefixes()
const newPrefix = prefixes.next
after(prefixes.deleteAll)

test('a job result reaches the producer through getJob().waitForCompletion()', async () => {
  const factory = createFactory(newPrefix('result'), logger)
  try {
    await factory.init()
    await factory.getQueueWorkers().registerQueues()
    const queueService = factory.getQueueService()
    assert.equal(queueService.supportsResults, true)

    const jobId = await queueService.add('echo', { n: 42 })
    const job = await queueService.getJob<{ n: number }, { echoed: { n: number } }>('echo', jobId)
    assert.ok(job?.waitForCompletion)
    assert.deepEqual(await job.waitForCompletion(5000), { echoed: { n: 42 } })
    assert.equal(job.queueName, 'echo')
    assert.deepEqual(job.data, { n: 42 })
    assert.equal(await job.status(), 'completed')

    const metadata = await job.metadata!()
    assert.equal(metadata.attemptsMade, 1)
    assert.equal(metadata.maxAttempts, 1)
    assert.deepEqual(metadata.progress, { step: 'done' })
    assert.ok(metadata.completedAt instanceof Date)
    assert.equal(metadata.failedAt, undefined)
    assert.ok(metadata.createdAt <= metadata.completedAt)

    const seen = seenByWorker.find((entry) => entry.jobId === jobId)
    assert.equal(seen?.queueName, 'echo')
  } finally {
    await factory.close()
  }
})

test('a job added by a plain BullMQ producer under any job name is processed', async () => {
  const prefix = newPrefix('plain')
  const factory = createFactory(prefix, logger)
  const producer = new Queue('echo', { connection: { url: REDIS_URL }, prefix })
  try {
    await factory.getQueueWorkers().registerQueues()
    const added = await producer.add('any-name', { from: 'plain bullmq' })
    const job = await factory.getQueueService().getJob('echo', added.id!)
    assert.deepEqual(await job!.waitForCompletion!(5000), { echoed: { from: 'plain bullmq' } })
    assert.equal(seenByWorker.find((entry) => entry.jobId === added.id && (entry.data as any)?.from)?.queueName, 'echo')
  } finally {
    await producer.close()
    await factory.close()
  }
})

test('getJob from a second service instance (another process) sees status, result and metadata', async () => {
  const prefix = newPrefix('second')
  const workerProcess = createFactory(prefix, logger)
  const apiProcess = createFactory(prefix, logger)
  try {
    const jobId = await workerProcess.getQueueService().add('echo', { order: 7 }, { attempts: 2 })
    // Never added anything itself, and no worker runs yet.
    const reader = apiProcess.getQueueService()
    const waiting = await reader.getJob('echo', jobId)
    assert.equal(await waiting!.status(), 'waiting')
    assert.equal((await waiting!.metadata!()).maxAttempts, 2)

    await workerProcess.getQueueWorkers().registerQueues()
    assert.deepEqual(await waiting!.waitForCompletion!(5000), { echoed: { order: 7 } })
    // metadata() re-reads the job, so the handle taken while waiting is up to date.
    assert.ok((await waiting!.metadata!()).completedAt instanceof Date)

    const done = await reader.getJob('echo', jobId)
    assert.equal(await done!.status(), 'completed')
    assert.deepEqual(done!.result, { echoed: { order: 7 } })
    assert.equal((await done!.metadata!()).attemptsMade, 1)

    assert.equal(await reader.getJob('echo', 'no-such-job'), null)
    assert.equal(await reader.getJob('never-used-queue', '1'), null)
  } finally {
    await apiProcess.close()
    await workerProcess.close()
  }
})

test('job options reach BullMQ: jobId, delay, retention', async () => {
  const prefix = newPrefix('options')
  const factory = createFactory(prefix, logger)
  try {
    const queueService = factory.getQueueService()
    const jobId = await queueService.add('echo', { x: 1 }, { jobId: 'custom-id', delay: 60_000, removeOnComplete: 5 })
    assert.equal(jobId, 'custom-id')
    const job = await queueService.getQueue('echo').getJob('custom-id')
    assert.equal(await job!.getState(), 'delayed')
    assert.equal(job!.opts.removeOnComplete, 5)
    // The same jobId again is BullMQ's idempotent add: no second job.
    assert.equal(await queueService.add('echo', { x: 2 }, { jobId: 'custom-id' }), 'custom-id')
    assert.equal(await queueService.getQueue('echo').count(), 1)
    assert.equal(await (await queueService.getJob('echo', 'custom-id'))!.status(), 'delayed')
  } finally {
    await factory.close()
  }
})

test('a signed pikkuUserId travels with the job to wire.queue.pikkuUserId', async () => {
  const factory = createFactory(newPrefix('identity'), logger)
  try {
    await factory.getQueueWorkers().registerQueues()
    const secrets = new LocalSecretService(new LocalVariablesService({ PIKKU_QUEUE_IDENTITY_SECRET: QUEUE_IDENTITY_SECRET }))
    const signed = new SignedQueueService(factory.getQueueService(), secrets, logger)
    const jobId = await signed.add('echo', { who: 'me' }, { pikkuUserId: 'user-123' })
    const job = await signed.getJob('echo', jobId)
    await job!.waitForCompletion!(5000)
    assert.match(job!.pikkuUserId ?? '', /^pq1\./, 'the stored claim is the signed token')
    await waitFor(() => seenByWorker.find((entry) => entry.jobId === jobId && (entry.data as any)?.who), 'the job to run')
    assert.equal(seenByWorker.find((entry) => (entry.data as any)?.who === 'me')?.pikkuUserId, 'user-123')
  } finally {
    await factory.close()
  }
})
