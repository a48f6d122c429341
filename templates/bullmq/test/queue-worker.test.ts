// Runs the real workers against the Redis at REDIS_URL, under a key prefix of their own
// so that a running worker server never takes these jobs (and the other way round).
import '#pikku/pikku-bootstrap.gen.js'
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Queue } from 'bullmq'
import { SignedQueueService } from '@pikku/core/queue'
import { BullServiceFactory } from 'pikku-bullmq'
import { PikkuQueue } from '#pikku/pikku-queue.gen.js'
import { createConfig } from '../src/config.js'
import { deletePrefix } from './delete-prefix.js'
import { createSingletonServices } from '../src/services.js'

// A signing secret of the tests' own unless the environment sets one, so signed user ids can be checked.
process.env.PIKKU_QUEUE_IDENTITY_SECRET ??= 'template-tests-only-secret-0123456789abcdefghij'
const config = { ...(await createConfig()), queuePrefix: `test-${process.pid}-${Date.now()}` }
const bull = new BullServiceFactory({ redisUrl: config.redisUrl, prefix: config.queuePrefix })
const queue = new PikkuQueue(bull.getQueueService())

let services: Awaited<ReturnType<typeof createSingletonServices>>

before(async () => {
  await bull.init()
  services = await createSingletonServices(config, { queueService: bull.getQueueService() })
  await bull.getQueueWorkers().registerQueues()
})

after(async () => {
  await bull.close()
  await deletePrefix(config.redisUrl, config.queuePrefix)
})

test('hello-world-queue echoes the message', async () => {
  const jobId = await queue.add('hello-world-queue', { message: 'test', fail: false })
  assert.deepEqual(await queue.waitForResult('hello-world-queue', jobId, { timeoutMs: 10_000 }), {
    result: 'Hello, test!',
  })
})

test('a repeatable job adds typed jobs on its schedule until it is removed', async () => {
  await queue.addRepeatable('hello-world-queue', 'greeting', { every: 200 }, { message: 'again', fail: false })
  assert.deepEqual((await queue.getRepeatables('hello-world-queue')).map(({ id, schedule }) => [id, schedule]), [['greeting', 'every 200 ms']])
  const plain = new Queue('hello-world-queue', { connection: { url: config.redisUrl }, prefix: config.queuePrefix })
  try {
    const repeats = async () => (await plain.getCompleted()).filter((job) => job.data.message === 'again')
    const deadline = Date.now() + 10_000
    while ((await repeats()).length < 2) {
      assert.ok(Date.now() < deadline, 'two repeats completed within 10 s')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    assert.deepEqual((await repeats())[0]!.returnvalue, { result: 'Hello, again!' })
  } finally {
    await plain.close()
  }
  assert.equal(await queue.removeRepeatable('hello-world-queue', 'greeting'), true)
  assert.deepEqual(await queue.getRepeatables('hello-world-queue'), [])
})

test('a failing hello-world job is retried, then fails with the thrown message', async () => {
  const jobId = await queue.add('hello-world-queue', { message: 'boom', fail: true }, { attempts: 2, backoff: { type: 'fixed', delay: 10 } })
  await assert.rejects(queue.waitForResult('hello-world-queue', jobId, { timeoutMs: 10_000 }), /Failed on purpose: boom/)
  const job = await queue.getJob('hello-world-queue', jobId)
  assert.equal(await job?.status(), 'failed')
  assert.equal((await job?.metadata?.())?.attemptsMade, 2)
})

test('sales-report totals orders per country and reports progress up to 100', async () => {
  const orders = Array.from({ length: 250 }, (_, i) => ({ id: `order-${i}`, country: i < 100 ? 'NL' : 'DE', amountCents: 200 }))
  const jobId = await queue.add('sales-report', { orders })
  const report = await queue.waitForResult('sales-report', jobId, { timeoutMs: 10_000 })
  assert.deepEqual(report, { orderCount: 250, totalCents: 50_000, totalsByCountry: { NL: 20_000, DE: 30_000 } })
  const job = await queue.getJob('sales-report', jobId)
  assert.equal((await job?.metadata?.())?.progress, 100)
})

test('invalid data from a plain BullMQ producer fails once, naming the field', async () => {
  // Any producer can reach the queue, typed or not: the worker validates the data before the function runs.
  const plain = new Queue('hello-world-queue', { connection: { url: config.redisUrl }, prefix: config.queuePrefix })
  try {
    for (const [data, reason] of [
      [{ nope: true }, /message: required, expected string.*nope: not an expected field/],
      ['just a string', /data: expected object, got string/],
      [{ message: 42, fail: false }, /message: expected string, got number/],
    ] as const) {
      const job = await plain.add('hello-world-queue', data, { attempts: 3 })
      await assert.rejects(queue.waitForResult('hello-world-queue', job.id!, { timeoutMs: 10_000 }), reason)
      const failed = await queue.getJob('hello-world-queue', job.id!)
      assert.equal((await failed?.metadata?.())?.attemptsMade, 1, 'a job with invalid data is not retried')
    }
  } finally {
    await plain.close()
  }
})

test('addBulk adds several typed jobs in one call', async () => {
  const ids = await queue.addBulk('hello-world-queue', [
    { data: { message: 'one', fail: false } },
    { data: { message: 'two', fail: false }, options: { priority: 5 } },
  ])
  const results = await Promise.all(ids.map((id) => queue.waitForResult('hello-world-queue', id, { timeoutMs: 10_000 })))
  assert.deepEqual(results, [{ result: 'Hello, one!' }, { result: 'Hello, two!' }])
})

test('jobs added from inside functions are signed, so pikkuUserId reaches the next job', async () => {
  assert.ok(services.queueService instanceof SignedQueueService)
  // The signed service has no addBulk of its own: the typed producer adds the jobs one by one.
  const signed = new PikkuQueue(services.queueService)
  const ids = await signed.addBulk('hello-world-queue', [{ data: { message: 'signed', fail: false }, options: { pikkuUserId: 'user-1' } }])
  assert.deepEqual(await signed.waitForResult('hello-world-queue', ids[0]!, { timeoutMs: 10_000 }), { result: 'Hello, signed!' })
  assert.match((await signed.getJob('hello-world-queue', ids[0]!))?.pikkuUserId ?? '', /^pq1\./, 'the stored user id is a signed claim')
})

test('a producer fails fast, naming the Redis URL without its password, when Redis is unreachable', async () => {
  const down = new BullServiceFactory({ redisUrl: 'redis://app:secret@127.0.0.1:1', producerTimeoutMs: 200 })
  try {
    await assert.rejects(
      new PikkuQueue(down.getQueueService()).add('hello-world-queue', { message: 'lost', fail: false }),
      /Redis at redis:\/\/app:\*\*\*@127\.0\.0\.1:1 did not answer within 200 ms/
    )
  } finally {
    await down.close()
  }
})
