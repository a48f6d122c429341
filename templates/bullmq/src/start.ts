// Meta must be loaded before the wirings: the bootstrap does both, in order.
import '#pikku/pikku-bootstrap.gen.js'
import { stopSingletonServices } from '@pikku/core'
import { BullServiceFactory, PinoLogger, startMonitoringServer } from 'pikku-bullmq'
import { createConfig } from './config.js'
import { createSingletonServices } from './services.js'
import { startTracing } from './tracing.js'

const config = await createConfig()
// Before the factory: it traces its queues and workers only if tracing started first.
const stopTracing = await startTracing()
// One logger for the runtime and the jobs, so every line has the same format and level.
const logger = new PinoLogger()
const bull = new BullServiceFactory({
  redisUrl: config.redisUrl,
  prefix: config.queuePrefix,
  logger,
})
await bull.init()

// Runs the scheduled tasks, and the workflows' sleeps (delayed jobs) and recovery task.
const scheduler = bull.getSchedulerService()
// Durable workflows (src/order.workflow.ts): wires a worker on each workflow queue, so before registerQueues().
const workflowService = bull.getWorkflowService()
await createSingletonServices(config, {
  queueService: bull.getQueueService(),
  schedulerService: scheduler,
  workflowService,
  logger,
})
const queues = await bull.getQueueWorkers().registerQueues()
// Reconciles the wireScheduler tasks with Redis (never removed on shutdown) and runs their ticks.
await scheduler.start()

// Monitoring: /healthz, /readyz, /metrics and the dashboard at /admin/queues.
const monitoring = config.monitoring
  ? await startMonitoringServer({
      ...config.monitoring,
      redisUrl: config.redisUrl,
      prefix: config.queuePrefix,
      queueNames: Object.keys(queues),
      queueWorkers: bull.getQueueWorkers(),
      scheduler,
      workflows: workflowService,
      logger,
    }).catch(async (error: unknown) => {
      // e.g. a dashboard without a password on 0.0.0.0: stop before running more jobs.
      logger.error(error instanceof Error ? error.message : String(error))
      await bull.close({ timeoutMs: config.shutdownTimeoutMs })
      process.exit(1)
    })
  : undefined

logger.info(`Worker server ready, processing queues: ${Object.keys(queues).join(', ')}`)

let shuttingDown = false
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (shuttingDown) return
  shuttingDown = true
  logger.info(`${signal} received: finishing running jobs (up to ${config.shutdownTimeoutMs} ms)`)
  monitoring?.beginShutdown()
  try {
    const { forced } = await bull.close({ timeoutMs: config.shutdownTimeoutMs })
    await monitoring?.close()
    await stopSingletonServices()
    await stopTracing?.()
    if (forced) {
      logger.warn('Shutdown deadline passed: unfinished jobs go back to the queue once their lock expires')
    }
    process.exit(forced ? 1 : 0)
  } catch (error) {
    logger.error('Shutdown failed:', error)
    process.exit(1)
  }
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
