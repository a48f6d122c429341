import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { UnrecoverableError } from 'bullmq'
import { UnprocessableContentError } from '@pikku/core/errors'
import type { JobOptions, PikkuQueue } from '@pikku/core/queue'
import type { BullServiceFactory } from '../src/index.js'
import { createFactory, deleteKeys, setupPikku, uniquePrefix, withRedis } from './helpers.js'

/** Start times of every run, per `queue:jobId` (job ids repeat across queues). */
const runs = new Map<string, number[]>()
function recordRun(queue: PikkuQueue | undefined): number {
  const key = `${queue!.queueName}:${queue!.jobId}`
  const times = runs.get(key) ?? []
  times.push(Date.now())
  runs.set(key, times)
  return times.length
}

const logger = setupPikku({
  flaky: {
    func: async (_services, _data, wire) => {
      const attempt = recordRun(wire.queue)
      throw new Error(`upstream unavailable (run ${attempt})`)
    },
  },
  thrower: {
    func: async (_services, data: { kind: 'string' | 'error-like' | 'number' }, wire) => {
      recordRun(wire.queue)
      if (data.kind === 'string') throw 'quota exceeded for tenant 7'
      if (data.kind === 'error-like') throw { name: 'HttpError', message: 'upstream said 503', stack: 'HttpError: upstream said 503\n    at fetchReport (report.ts:12:3)' }
      throw 404
    },
  },
  echoer: {
    // As the template's helloWorld does when asked to fail: the input comes back in the message.
    func: async (_services, data: { text: string }) => {
      throw new Error(`Failed on purpose: ${data.text}`)
    },
  },
  stopper: {
    func: async (_services, data: { how: 'fail' | 'discard' | 'unrecoverable' | 'invalid' | 'forbidden-by-name' }, wire) => {
      recordRun(wire.queue)
      if (data.how === 'fail') await wire.queue!.fail('card declined')
      if (data.how === 'discard') await wire.queue!.discard('duplicate order')
      if (data.how === 'unrecoverable') throw new UnrecoverableError('card reported stolen')
      if (data.how === 'invalid') throw new UnprocessableContentError('data.email is required')
      // As thrown by a second copy of @pikku/core: a different class, the same name.
      const error = new Error('Permission denied')
      error.name = 'ForbiddenError'
      throw error
    },
  },
})

const prefix = uniquePrefix('retries')
let factory: BullServiceFactory

after(async () => {
  await factory?.close()
  await deleteKeys(prefix)
})

async function runUntilFinished(queueName: string, data: unknown, options: JobOptions) {
  factory ??= createFactory(prefix, logger)
  if (!factory.getQueueWorkers().getWorker(queueName)) await factory.getQueueWorkers().registerQueues()
  const queueService = factory.getQueueService()
  const jobId = await queueService.add(queueName, data, options)
  const job = (await queueService.getJob(queueName, jobId))!
  const failure = await job.waitForCompletion!(10_000).then(
    () => assert.fail(`job ${jobId} in ${queueName} completed but should have failed`),
    (error: Error) => error
  )
  return { jobId, job, failure }
}

test('a throwing job is retried up to its attempts with fixed backoff, then fails with the thrown message', async () => {
  const { jobId, job, failure } = await runUntilFinished('flaky', {}, { attempts: 3, backoff: { type: 'fixed', delay: 50 } })
  assert.equal(failure.message, 'upstream unavailable (run 3)')
  assert.equal(runs.get(`flaky:${jobId}`)?.length, 3)
  assert.equal(await job.status(), 'failed')
  const metadata = await job.metadata!()
  assert.equal(metadata.attemptsMade, 3)
  assert.equal(metadata.maxAttempts, 3)
  assert.equal(metadata.error, 'upstream unavailable (run 3)')
  assert.ok(metadata.failedAt instanceof Date)
  assert.equal(metadata.completedAt, undefined)
  const bullJob = await factory.getQueueService().getQueue('flaky').getJob(jobId)
  assert.equal(bullJob!.failedReason, 'upstream unavailable (run 3)')
  // One line per attempt, with its number: WARN while it will retry, ERROR when it gives up.
  assert.deepEqual(linesAbout('flaky', jobId), [
    { level: 'warn', message: `Job ${jobId} in queue 'flaky' failed (attempt 1/3), will retry: upstream unavailable (run 1)` },
    { level: 'warn', message: `Job ${jobId} in queue 'flaky' failed (attempt 2/3), will retry: upstream unavailable (run 2)` },
    { level: 'error', message: `Job ${jobId} in queue 'flaky' failed (attempt 3/3), no attempts left: upstream unavailable (run 3) upstream unavailable (run 3)` },
  ])
})

/** Warnings and errors that mention this job, whoever logged them. */
function linesAbout(queueName: string, jobId: string) {
  const mentions = new RegExp(`\\b[Jj]ob ${jobId} in queue '?${queueName}\\b`)
  return logger.entries.filter((entry) => (entry.level === 'warn' || entry.level === 'error') && mentions.test(entry.message))
}

for (const [kind, reason] of [
  ['string', 'quota exceeded for tenant 7'],
  ['error-like', 'upstream said 503'],
  ['number', 'A job threw a non-Error value: 404'],
] as const) {
  test(`a thrown ${kind} keeps its reason in failedReason, the error and the log`, async () => {
    const { jobId, failure } = await runUntilFinished('thrower', { kind }, { attempts: 2, backoff: { type: 'fixed', delay: 10 } })
    assert.equal(failure.message, reason)
    const bullJob = await factory.getQueueService().getQueue('thrower').getJob(jobId)
    assert.equal(bullJob!.failedReason, reason)
    if (kind === 'error-like') assert.match(bullJob!.stacktrace?.[0] ?? '', /at fetchReport \(report\.ts:12:3\)/)
    const lines = linesAbout('thrower', jobId)
    assert.equal(lines.length, 2)
    assert.equal(lines[0]!.message, `Job ${jobId} in queue 'thrower' failed (attempt 1/2), will retry: ${reason}`)
  })
}

test('exponential backoff waits about delay, then twice the delay', async () => {
  const { jobId } = await runUntilFinished('flaky', {}, { attempts: 3, backoff: { type: 'exponential', delay: 100 } })
  const [first, second, third] = runs.get(`flaky:${jobId}`)!
  const gap1 = second! - first!
  const gap2 = third! - second!
  assert.ok(gap1 >= 95, `first retry after ${gap1} ms, expected >= 100`)
  assert.ok(gap2 >= 195, `second retry after ${gap2} ms, expected >= 200`)
  assert.ok(gap2 > gap1, `gaps should grow: ${gap1} then ${gap2}`)
  assert.ok(gap2 < 2000, `second retry after ${gap2} ms is far too late`)
})

test("wire.queue.fail() fails the attempt and the job is retried as configured, as in Pikku", async () => {
  const { jobId, job, failure } = await runUntilFinished('stopper', { how: 'fail' }, { attempts: 3, backoff: { type: 'fixed', delay: 10 } })
  const expected = `Queue job ${jobId} failed: card declined`
  assert.equal(failure.message, expected)
  assert.equal(runs.get(`stopper:${jobId}`)?.length, 3)
  assert.equal((await job.metadata!()).attemptsMade, 3)
  assert.deepEqual(linesAbout('stopper', jobId).map(({ level }) => level), ['warn', 'warn', 'error'])
})

test('wire.queue.discard() completes the job once, with no error line, and writes the reason to the job log', async () => {
  factory ??= createFactory(prefix, logger)
  if (!factory.getQueueWorkers().getWorker('stopper')) await factory.getQueueWorkers().registerQueues()
  const queueService = factory.getQueueService()
  const jobId = await queueService.add('stopper', { how: 'discard' }, { attempts: 3, backoff: { type: 'fixed', delay: 10 } })
  const job = (await queueService.getJob('stopper', jobId))!
  // BullMQ stores the missing result as null.
  assert.equal(await job.waitForCompletion!(10_000), null)
  assert.equal(await job.status(), 'completed')
  assert.equal(runs.get(`stopper:${jobId}`)?.length, 1)
  assert.deepEqual(linesAbout('stopper', jobId), [])
  assert.equal(logger.matching('info', new RegExp(`Queue job ${jobId} discarded: duplicate order \\(queue 'stopper'\\): completed, not retried`)).length, 1)
  const { logs } = await queueService.getQueue('stopper').getJobLogs(jobId)
  assert.deepEqual(logs, [`Queue job ${jobId} discarded: duplicate order`])
})

for (const [how, reason] of [
  ['unrecoverable', 'card reported stolen'],
  ['invalid', 'data.email is required'],
  ['forbidden-by-name', 'Permission denied'],
] as const) {
  test(`non-retryable outcome '${how}' runs once and ends failed, not completed`, async () => {
    const { jobId, job, failure } = await runUntilFinished('stopper', { how }, { attempts: 3, backoff: { type: 'fixed', delay: 10 } })
    const expected = reason.replace('{id}', jobId)
    assert.equal(failure.message, expected)
    assert.equal(runs.get(`stopper:${jobId}`)?.length, 1)
    assert.equal(await job.status(), 'failed')
    const metadata = await job.metadata!()
    assert.equal(metadata.attemptsMade, 1)
    assert.equal(metadata.error, expected)
    assert.deepEqual(linesAbout('stopper', jobId), [
      { level: 'error', message: `Job ${jobId} in queue 'stopper' failed (attempt 1/3), not retried: ${expected} ${expected}` },
    ])
  })
}

test('a failure whose message is megabytes is stored cut, reason and stack, on every attempt', async () => {
  const text = 'x'.repeat(2_000_000)
  const { jobId, failure } = await runUntilFinished('echoer', { text }, { attempts: 2, backoff: { type: 'fixed', delay: 10 } })
  assert.ok(failure.message.length < 8_300, `the reason a waiter sees is ${failure.message.length} characters`)
  const bullJob = (await factory.getQueueService().getQueue('echoer').getJob(jobId))!
  assert.match(bullJob.failedReason, /^Failed on purpose: x+… \(2000019 characters\)$/)
  assert.ok(bullJob.failedReason.length < 8_300)
  assert.equal(bullJob.stacktrace?.length, 2)
  for (const stack of bullJob.stacktrace ?? []) assert.ok(stack.length < 8_300, `a stored stack is ${stack.length} characters`)
  // What the job costs in Redis is its data, not three more copies of it.
  const bytes = Number(await withRedis((redis) => redis.call('MEMORY', 'USAGE', `${prefix}:echoer:${jobId}`, 'SAMPLES', '0')))
  assert.ok(bytes < 2_300_000, `the failed job takes ${bytes} bytes in Redis`)
})
