import { UnrecoverableError } from 'bullmq'
import { QueueJobDiscardedError } from '@pikku/core/queue'
import { logExcerpt } from '../logging/log-excerpt.js'
import {
  ForbiddenError,
  InvalidSessionError,
  MissingSchemaError,
  MissingScopeError,
  MissingSessionError,
  PikkuMissingMetaError,
  ReadonlySessionError,
  UnauthorizedError,
  UnprocessableContentError,
} from '@pikku/core/errors'

/**
 * Errors that would fail again on every retry, so retrying only delays the
 * failure and wastes work: its data is invalid, it is not allowed to run, the
 * deployment lacks its metadata or schema, or the function said so by throwing
 * BullMQ's `UnrecoverableError`. `wire.queue.fail()` is not among them: as in
 * Pikku, it fails the attempt and the job is retried as configured.
 * (`wire.queue.discard()` never gets here: the worker completes such a job.)
 */
const NON_RETRYABLE_CLASSES: ReadonlyArray<abstract new (...args: any[]) => Error> = [
  UnprocessableContentError,
  ForbiddenError,
  UnauthorizedError,
  MissingSessionError,
  InvalidSessionError,
  MissingScopeError,
  ReadonlySessionError,
  PikkuMissingMetaError,
  MissingSchemaError,
  UnrecoverableError,
]

/**
 * Matched by name too: error classes are not shared when two copies of
 * @pikku/core (or bullmq) are installed, but their names are.
 */
const NON_RETRYABLE_NAMES: ReadonlySet<string> = new Set(NON_RETRYABLE_CLASSES.map((errorClass) => errorClass.name))

export function isNonRetryableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  return NON_RETRYABLE_CLASSES.some((errorClass) => error instanceof errorClass) || NON_RETRYABLE_NAMES.has(error.name)
}

/**
 * What the processor throws to BullMQ for a failed run: non-retryable errors
 * become an `UnrecoverableError` (the job fails now, whatever its attempts)
 * carrying the original message as the job's failedReason and the original
 * error as `cause`; everything else is rethrown so BullMQ retries it with the
 * job's attempts and backoff. Either way the message and stack are cut to
 * {@link MAX_STORED_ERROR_CHARS}: BullMQ stores both in Redis for every failed
 * attempt, and a function that throws its (megabytes of) input would otherwise
 * store it twice per attempt.
 */
export function toBullMQError(error: unknown): unknown {
  if (!isNonRetryableError(error) || error instanceof UnrecoverableError) return boundForStorage(error)
  const original = error as Error
  const unrecoverable = new UnrecoverableError(original.message)
  unrecoverable.cause = original
  if (original.stack) unrecoverable.stack = original.stack
  return boundForStorage(unrecoverable)
}

/** The longest failedReason, and stack trace per attempt, kept in Redis. */
export const MAX_STORED_ERROR_CHARS = 8_192

function boundForStorage(error: unknown): unknown {
  if (!(error instanceof Error)) return error
  error.message = logExcerpt(error.message, MAX_STORED_ERROR_CHARS)
  if (error.stack) error.stack = logExcerpt(error.stack, MAX_STORED_ERROR_CHARS)
  return error
}

/** What `wire.queue.discard()` throws; matched by name for the same reason as above. */
export function isDiscardedJob(error: unknown): error is Error {
  return error instanceof QueueJobDiscardedError || (error instanceof Error && error.name === 'QueueJobDiscardedError')
}
