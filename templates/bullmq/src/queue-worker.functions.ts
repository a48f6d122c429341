import { setTimeout as sleep } from 'node:timers/promises'
import { pikkuSessionlessFunc } from '#pikku/function'

/**
 * Echoes its message back; throws when asked to, so you can watch retries happen.
 *
 * The input type is also checked at run time: codegen turns it into a JSON
 * Schema, and a job whose data does not match (from any producer, typed or
 * not) fails at once, without retries, with a reason such as
 * "message: required, expected string".
 */
export const helloWorld = pikkuSessionlessFunc<
  { message: string; fail: boolean },
  { result: string }
>(async ({ logger }, { message, fail }, { queue }) => {
  // Job data can be large: log a bounded excerpt, never the whole payload.
  logger.info(`hello-world job ${queue?.jobId}: ${message.length > 200 ? `${message.slice(0, 200)}… (${message.length} characters)` : message}`)
  if (fail) {
    throw new Error(`Failed on purpose: ${message}`)
  }
  return { result: `Hello, ${message}!` }
})

export interface Order {
  id: string
  country: string
  amountCents: number
}

/**
 * Totals a batch of orders per country. A long job like this reports its
 * progress, so dashboards and producers can follow it.
 */
export const buildSalesReport = pikkuSessionlessFunc<
  { orders: Order[] },
  { orderCount: number; totalCents: number; totalsByCountry: Record<string, number> }
>(async (_services, { orders }, { queue }) => {
  const totalsByCountry: Record<string, number> = {}
  let totalCents = 0
  const chunkSize = 100
  for (let start = 0; start < orders.length; start += chunkSize) {
    for (const order of orders.slice(start, start + chunkSize)) {
      totalsByCountry[order.country] = (totalsByCountry[order.country] ?? 0) + order.amountCents
      totalCents += order.amountCents
    }
    await queue?.updateProgress(Math.round((Math.min(start + chunkSize, orders.length) / orders.length) * 100))
    // Stands in for real I/O per chunk (a database read, an API call).
    await sleep(10)
  }
  return { orderCount: orders.length, totalCents, totalsByCountry }
})
