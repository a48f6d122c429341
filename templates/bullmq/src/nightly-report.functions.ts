import { pikkuVoidFunc } from '#pikku/function'

/**
 * Queues the nightly sales report. A scheduled task takes no data; it usually reads what it needs
 * and hands the real work to a queue, where it gets that queue's retries and concurrency.
 */
export const queueNightlySalesReport = pikkuVoidFunc(async ({ queues, logger }) => {
  // Stands in for reading yesterday's orders from your database.
  const orders = [
    { id: 'demo-1', country: 'NL', amountCents: 1250 },
    { id: 'demo-2', country: 'FR', amountCents: 990 },
  ]
  const jobId = await queues.add('sales-report', { orders })
  logger.info(`Nightly sales report queued as job ${jobId} (${orders.length} orders)`)
})
