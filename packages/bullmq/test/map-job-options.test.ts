import { test } from 'node:test'
import assert from 'node:assert/strict'
import { UnrecoverableError } from 'bullmq'
import { ForbiddenError, UnprocessableContentError } from '@pikku/core/errors'
import { QueueJobFailedError } from '@pikku/core/queue'
import { BULLMQ_MAX_PRIORITY, isNonRetryableError, toBullMQError, toBullMQJobOptions, toBullMQPriority } from '../src/index.js'

test('toBullMQJobOptions maps every pikku option', () => {
  assert.deepEqual(
    toBullMQJobOptions({
      attempts: 4,
      backoff: { type: 'fixed', delay: 250 },
      delay: 1000,
      jobId: 'order-1',
      removeOnComplete: 10,
      removeOnFail: 100,
      priority: 0,
      pikkuUserId: 'signed-claim',
    }),
    {
      attempts: 4,
      backoff: { type: 'fixed', delay: 250 },
      delay: 1000,
      jobId: 'order-1',
      removeOnComplete: 10,
      removeOnFail: 100,
      priority: 1_048_576,
      pikkuUserId: 'signed-claim',
    }
  )
  assert.deepEqual(toBullMQJobOptions(), {})
})

test('backoff given by name gets a 1 s base delay; unknown types, by name or in an object, are rejected up front', () => {
  assert.deepEqual(toBullMQJobOptions({ backoff: 'exponential' }).backoff, { type: 'exponential', delay: 1000 })
  assert.deepEqual(toBullMQJobOptions({ backoff: 'fixed' }).backoff, { type: 'fixed', delay: 1000 })
  assert.throws(() => toBullMQJobOptions({ backoff: 'linear' }, {}, 'emails'), /^Error: Unsupported backoff type 'linear' for queue 'emails': use 'fixed' or 'exponential', or declare 'linear' under config.backoffStrategies/)
  assert.throws(() => toBullMQJobOptions({ backoff: { type: 'linear', delay: 10 } }), /Unsupported backoff type 'linear'/)
  assert.throws(() => toBullMQJobOptions({ backoff: { type: 'fixed', delay: -5 } }), /Invalid job option backoff.delay .*-5, expected a number of milliseconds >= 0/)
  // A type the wiring declares is accepted, with or without a delay.
  const wiring = { backoffStrategies: { linear: () => 10 } }
  assert.deepEqual(toBullMQJobOptions({ backoff: { type: 'linear', delay: 10 } }, wiring).backoff, { type: 'linear', delay: 10 })
  assert.deepEqual(toBullMQJobOptions({ backoff: 'linear' }, wiring).backoff, { type: 'linear' })
})

test('wiring jobDefaults apply under the job options; raw bullmq options are applied last', () => {
  const wiring = { jobDefaults: { attempts: 5, backoff: { type: 'fixed', delay: 200 }, priority: 3, removeOnComplete: 50 } }
  assert.deepEqual(toBullMQJobOptions({ attempts: 2, delay: undefined }, wiring), {
    attempts: 2,
    backoff: { type: 'fixed', delay: 200 },
    priority: toBullMQPriority(3),
    removeOnComplete: 50,
  })
  assert.deepEqual(toBullMQJobOptions({ lifo: true, bullmq: { removeOnComplete: { age: 60 }, keepLogs: 5 } }, wiring).removeOnComplete, { age: 60 })
  assert.throws(() => toBullMQJobOptions({ attempts: 0 }, {}, 'emails'), /Invalid job option attempts for queue 'emails': 0, expected an integer >= 1/)
  assert.throws(() => toBullMQJobOptions({ timeout: 0 }), /Invalid job option timeout/)
})

test('priority: higher pikku priority becomes a lower BullMQ number, within 1..2_097_151', () => {
  assert.ok(toBullMQPriority(10) < toBullMQPriority(5))
  assert.ok(toBullMQPriority(5) < toBullMQPriority(0))
  assert.ok(toBullMQPriority(0) < toBullMQPriority(-5))
  assert.equal(toBullMQPriority(1e12), 1)
  assert.equal(toBullMQPriority(-1e12), BULLMQ_MAX_PRIORITY)
  assert.throws(() => toBullMQPriority(Number.NaN), /Invalid job priority/)
})

test('non-retryable errors are recognised by class and by name, and keep their message', () => {
  assert.ok(isNonRetryableError(new UnprocessableContentError('data.email is required')))
  // wire.queue.fail() is retried as configured, as in Pikku.
  assert.ok(!isNonRetryableError(new QueueJobFailedError('7', 'card declined')))
  assert.ok(isNonRetryableError(new UnrecoverableError('stop')))
  // The same error from a second copy of @pikku/core is a different class with the same name.
  const foreign = new Error('Permission denied')
  foreign.name = 'ForbiddenError'
  assert.ok(isNonRetryableError(foreign))
  assert.ok(!isNonRetryableError(new Error('ECONNRESET')))
  assert.ok(!isNonRetryableError('a string'))

  const original = new ForbiddenError('Permission denied')
  const converted = toBullMQError(original) as Error
  assert.ok(converted instanceof UnrecoverableError)
  assert.equal(converted.message, 'Permission denied')
  assert.equal(converted.cause, original)
  const retryable = new Error('timeout')
  assert.equal(toBullMQError(retryable), retryable)
})
