import { wireQueueWorker } from '#pikku/queue'
import { buildSalesReport, helloWorld } from './queue-worker.functions.js'

wireQueueWorker({
  name: 'hello-world-queue',
  func: helloWorld,
})

wireQueueWorker({
  name: 'sales-report',
  func: buildSalesReport,
  // Up to 5 reports are built at the same time by each worker process.
  config: { batchSize: 5 },
})
