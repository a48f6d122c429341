/**
 * Turns whatever a job threw into an Error whose message is the reason:
 * BullMQ stores `error.message` as the job's failedReason, so a thrown string
 * would otherwise be stored as "null". Error-like objects keep their name and
 * stack; other values get no stack (one made here would point at this file,
 * not at the throw).
 */
export function thrownValueToError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown
  if (isErrorLike(thrown)) {
    const error = new Error(thrown.message)
    if (typeof thrown.name === 'string') error.name = thrown.name
    error.stack = typeof thrown.stack === 'string' ? thrown.stack : `${error.name}: ${error.message}`
    return error
  }
  const error = new Error(describe(thrown))
  error.stack = `Error: ${error.message}`
  return error
}

function isErrorLike(value: unknown): value is { message: string; name?: unknown; stack?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string'
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === undefined || value === null) return `A job threw ${value}`
  try {
    const json = JSON.stringify(value)
    if (json !== undefined) return `A job threw a non-Error value: ${json}`
  } catch {
    // Circular or otherwise unserialisable: fall through to String().
  }
  return `A job threw a non-Error value: ${String(value)}`
}
