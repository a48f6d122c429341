// Mistakes that would otherwise pass without a word: job options spelled as other
// Pikku queue adapters spell them, the factory given Redis as { host, port }, jobs
// added to a queue no wiring in this process declares, and a queue wired under the
// scheduler's own queue name.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { BullServiceFactory } from '../src/index.js'
import { createFactory, filePrefixes, setupPikku } from './helpers.js'

const logger = setupPikku({ invoices: { func: async () => 'sent' }, 'pikku-schedules': { func: async () => 'not a tick' } })
const prefixes = filePrefixes()
after(() => prefixes.deleteAll())

test('job options this runtime does not read are refused at add time, naming what to write instead', async () => {
  const factory = createFactory(prefixes.next('options'), logger)
  try {
    const queueService = factory.getQueueService()
    await assert.rejects(
      queueService.add('invoices', {}, { retryAttempts: 3, retryDelay: 1000, retryBackoff: 'exponential' } as object),
      (error: Error) =>
        error.message.includes("'retryAttempts' (write attempts: <retryAttempts + 1>") &&
        error.message.includes("'retryDelay' (write backoff: { type: 'exponential' | 'fixed', delay: <ms> })") &&
        error.message.includes("for queue 'invoices'"),
    )
    await assert.rejects(queueService.add('invoices', {}, { atempts: 2 } as object), /Unknown job option 'atempts' for queue 'invoices'.*put raw BullMQ job options under bullmq/)
    // Nothing reached Redis.
    assert.equal(await queueService.getQueue('invoices').count(), 0)
    const id = await queueService.add('invoices', {}, { attempts: 4, bullmq: { stackTraceLimit: 2 } })
    const job = await queueService.getQueue('invoices').getJob(id)
    assert.equal(job?.opts.attempts, 4)
  } finally {
    await factory.close()
  }
})

test("new BullServiceFactory({ host, port }) is refused instead of connecting to the default Redis", () => {
  assert.throws(
    () => new BullServiceFactory({ host: 'redis.internal', port: 6380 } as object),
    /Unknown BullServiceFactory options 'host', 'port': give Redis as redisUrl: 'redis:\/\/host:6379' \(or REDIS_URL\), or as ioredis options under connection: \{ host, port, … \}/,
  )
})

test('adding to a queue no loaded wiring declares warns once, naming the wired queues', async () => {
  const factory = createFactory(prefixes.next('unwired'), logger)
  try {
    const queueService = factory.getQueueService()
    await queueService.add('invoice', {})
    await queueService.add('invoice', {})
    await queueService.add('invoices', {})
    const warnings = logger.matching('warn', /is not declared by any wireQueueWorker/)
    assert.deepEqual(warnings.map(({ message }) => message), [
      "Queue 'invoice' is not declared by any wireQueueWorker this process loaded ('invoices', 'pikku-schedules'), so no worker of this project takes its jobs: check the name (the typed PikkuQueue catches it at compile time), or ignore this if another service runs 'invoice'",
    ])
  } finally {
    await factory.close()
  }
})

test("a queue wired under the scheduler's own queue name stops the scheduler from starting", async () => {
  const factory = createFactory(prefixes.next('reserved'), logger)
  try {
    await assert.rejects(
      factory.getSchedulerService().start(),
      /Queue 'pikku-schedules' is wired with wireQueueWorker, but the scheduler runs its ticks on that queue: rename the queue/,
    )
  } finally {
    await factory.close()
  }
})
