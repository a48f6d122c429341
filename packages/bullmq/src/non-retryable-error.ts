import { UnrecoverableError } from 'bullmq'
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
import { QueueJobDiscardedError, QueueJobFailedError } from '@pikku/core/queue'

/**
 * Errors that would fail again on every retry, so retrying only delays the
 * failure and wastes work: the job asked to stop (`wire.queue.fail()` /
 * `discard()`), its data is invalid, it is not allowed to run, or the
 * deployment lacks its metadata or schema.
 */
const NON_RETRYABLE_CLASSES: ReadonlyArray<abstract new (...args: any[]) => Error> = [
  QueueJobFailedError,
  QueueJobDiscardedError,
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
 * error as `cause`; everything else is rethrown unchanged so BullMQ retries it
 * with the job's attempts and backoff.
 */
export function toBullMQError(error: unknown): unknown {
  if (!isNonRetryableError(error) || error instanceof UnrecoverableError) return error
  const original = error as Error
  const unrecoverable = new UnrecoverableError(original.message)
  unrecoverable.cause = original
  if (original.stack) unrecoverable.stack = original.stack
  return unrecoverable
}
