import { wireScheduler } from '#pikku/scheduler'
import { queueNightlySalesReport } from './nightly-report.functions.js'

// Every night at 02:00 server time. One tick runs once across all replicas; `{{run}} queues -- schedules`
// shows the next run.
wireScheduler({
  name: 'nightly-sales-report',
  schedule: '0 2 * * *',
  func: queueNightlySalesReport,
  // A failed tick is tried twice more, 1 and then 2 minutes later.
  attempts: 3,
  backoff: { type: 'exponential', delay: 60_000 },
})
