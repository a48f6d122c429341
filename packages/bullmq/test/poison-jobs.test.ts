// Jobs the runtime cannot parse or run at all reach a terminal state once, with a reason, whatever
// a producer wrote: a data or opts field in Redis that is not JSON, and data nested 100 000 levels
// deep. Afterwards every view reads the queue again: BullMQ's own getJobs (what Bull Board calls)
// and pikku-queues, which can also remove the job.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Queue } from 'bullmq'
import type { BullServiceFactory } from '../src/index.js'
import { createFactory, filePrefixes, REDIS_URL, setupPikku, waitFor, withRedis } from './helpers.js'

const BIN = fileURLToPath(new URL('../dist/cli/pikku-queues.js', import.meta.url))
const runs: unknown[] = []
const logger = setupPikku({
  orders: {
    func: async (_services, data) => {
      runs.push(data)
      // Walks the data recursively, as validation, copies and serializers do.
      return { size: JSON.stringify(data).length }
    },
    // Short locks, so a job no worker could read comes back (and fails) within seconds.
    config: { lockDuration: 1_000, bullmq: { stalledInterval: 1_000 } },
  },
})
const prefixes = filePrefixes()
const prefix = prefixes.next('poison')
let factory: BullServiceFactory
let orders: Queue

before(async () => {
  factory = createFactory(prefix, logger)
  await factory.getQueueWorkers().registerQueues()
  orders = new Queue('orders', { connection: { url: REDIS_URL }, prefix })
})

after(async () => {
  await orders.close()
  await factory.close()
  await prefixes.deleteAll()
})

async function finalState(jobId: string) {
  await waitFor(async () => ['failed', 'completed'].includes(await orders.getJobState(jobId)), `job ${jobId} to end`, 20_000)
  const job = (await orders.getJob(jobId))!
  return { state: await job.getState(), reason: job.failedReason, attemptsMade: job.attemptsMade }
}

function cli(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, REDIS_URL, PIKKU_QUEUE_PREFIX: prefix }, encoding: 'utf8', timeout: 20_000 })
}

for (const [field, corrupt, pattern] of [
  ['data', '{not json', /^Job corrupt-data cannot run: its data field in Redis is not JSON \(Expected property name .*\)$/],
  ['opts', '{"attempts":3,broken', /^Job corrupt-opts cannot run: its opts field in Redis is not JSON \(Expected double-quoted property name .*\)$/],
] as const) {
  test(`a job whose ${field} field is not JSON fails once, with a reason naming the field, and every view reads it`, { timeout: 40_000 }, async () => {
    // Written by a producer that is not BullMQ's, or by hand.
    // Delayed, so it is corrupted before the worker can take it.
    const job = await orders.add('order', { ok: true }, { jobId: `corrupt-${field}`, attempts: 3, delay: 300 })
    await withRedis((redis) => redis.hset(`${prefix}:orders:${job.id}`, field, corrupt))
    const end = await finalState(job.id!)
    assert.equal(end.state, 'failed')
    assert.match(end.reason, pattern)
    assert.equal(end.attemptsMade, 1, 'failed once, not retried')
    assert.ok(!runs.some((data) => JSON.stringify(data) === '{"ok":true}'), 'the function never ran on a guess')
    // The stored value is kept for forensics.
    assert.equal(await withRedis((redis) => redis.hget(`${prefix}:orders:${job.id}`, `pikkuRaw:${field}`)), corrupt)
    // BullMQ's readers (Bull Board's lists) and the terminal views work again.
    assert.ok((await orders.getJobs(['failed'])).some((failed) => failed.id === job.id))
    const shown = cli(['job', 'orders', job.id!])
    assert.equal(shown.status, 0, shown.stderr)
    assert.match(shown.stdout, /cannot run: its \w+ field in Redis is not JSON/)
    const removed = cli(['remove', 'orders', job.id!])
    assert.equal(removed.status, 0, removed.stderr)
    assert.equal(await orders.getJob(job.id!), undefined)
    assert.equal(logger.matching('warn', new RegExp(`Job ${job.id} in queue 'orders' cannot be read`)).length, 1)
  })
}

test('data nested 100 000 levels deep fails once as invalid input, and the views survive it', { timeout: 40_000 }, async () => {
  let deep = '1'
  for (let i = 0; i < 100_000; i++) deep = `[${deep}]`
  const job = await orders.add('order', {}, { jobId: 'deep', attempts: 3, delay: 300 })
  await withRedis((redis) => redis.hset(`${prefix}:orders:${job.id}`, 'data', deep))
  const end = await finalState(job.id!)
  assert.equal(end.state, 'failed')
  assert.match(end.reason, /^Invalid data: job deep cannot run: its data is nested more than 1000 levels deep \(at most 1000 are accepted\)$/)
  assert.equal(end.attemptsMade, 1)
  assert.ok((await orders.getJobs(['failed'])).some((failed) => failed.id === 'deep'))
  const shown = cli(['job', 'orders', 'deep'])
  assert.equal(shown.status, 0, shown.stderr)
  assert.match(shown.stdout, /nested more than 1000 levels deep/)
})

test('with no worker running, pikku-queues explains an unreadable job instead of crashing, and removes it', { timeout: 30_000 }, async () => {
  const idle = prefixes.next('poison-idle')
  const queue = new Queue('idle', { connection: { url: REDIS_URL }, prefix: idle })
  try {
    const job = await queue.add('order', { ok: true }, { jobId: 'bad' })
    await withRedis((redis) => redis.hset(`${idle}:idle:bad`, 'opts', '{broken'))
    const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, REDIS_URL, PIKKU_QUEUE_PREFIX: idle }, encoding: 'utf8', timeout: 20_000 })
    for (const args of [['jobs', 'idle'], ['job', 'idle', 'bad']]) {
      const shown = run(args)
      assert.equal(shown.status, 1, shown.stdout)
      assert.match(shown.stderr, /^error: (Job 'bad' in queue 'idle'|A job in queue 'idle') cannot be read: a stored field is not JSON \(.*\)\. A running worker fails such a job once/)
      assert.doesNotMatch(shown.stderr, /at .*\.js:\d+/, 'no stack trace')
    }
    const removed = run(['remove', 'idle', job.id!])
    assert.equal(removed.status, 0, removed.stderr)
    assert.equal(await withRedis((redis) => redis.exists(`${idle}:idle:bad`)), 0)
  } finally {
    await queue.close()
  }
})
