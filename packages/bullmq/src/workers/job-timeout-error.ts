/**
 * An attempt ran longer than its `timeout`. It is an ordinary, retryable
 * failure: the job is retried if it has attempts left. The function's
 * `wire.queue.signal` is aborted with this error as its reason.
 */
export class JobTimeoutError extends Error {
  constructor(
    readonly jobId: string,
    readonly queueName: string,
    readonly timeoutMs: number
  ) {
    super(`Job ${jobId} in queue '${queueName}' timed out after ${timeoutMs} ms`)
    this.name = 'JobTimeoutError'
  }
}
