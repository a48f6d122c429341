/**
 * Settles like `promise`, or rejects with `message` after `ms`. BullMQ
 * commands wait for a connection that is down instead of failing, and a probe
 * or a scrape must answer anyway.
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
