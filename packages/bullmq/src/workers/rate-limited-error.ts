/**
 * Thrown by a job function to say "the service I call is rate limiting me,
 * try again in `retryAfterMs`": the job goes back to waiting without using
 * up an attempt, and the whole queue pauses for that long (on every worker),
 * because the other jobs would hit the same limit.
 *
 * ```ts
 * if (response.status === 429) throw new RateLimitedError(Number(response.headers.get('retry-after')) * 1000)
 * ```
 */
export class RateLimitedError extends Error {
  constructor(
    readonly retryAfterMs: number,
    reason = 'rate limited'
  ) {
    super(`${reason}; retry after ${retryAfterMs} ms`)
    this.name = 'RateLimitedError'
    if (!(Number.isFinite(retryAfterMs) && retryAfterMs > 0)) {
      throw new Error(`Invalid retryAfterMs ${retryAfterMs} for RateLimitedError: expected milliseconds > 0`)
    }
  }
}

/** Matched by name too, like the non-retryable errors: a second copy of this package has its own class. */
export function isRateLimitedError(error: unknown): error is RateLimitedError {
  return (
    error instanceof RateLimitedError ||
    (error instanceof Error && error.name === 'RateLimitedError' && typeof (error as RateLimitedError).retryAfterMs === 'number')
  )
}
