// A typed producer: adds a job, waits for it to finish and prints the result.
// Run it while `npm start` is running in another terminal.
// The wirings are loaded so that the jobDefaults declared on them apply to the jobs added here.
import '#pikku/pikku-bootstrap.gen.js'
import { BullServiceFactory } from 'pikku-bullmq'
import { PikkuQueue } from '#pikku/pikku-queue.gen.js'
import { createConfig } from '../src/config.js'
import { startTracing } from '../src/tracing.js'

// The same config as the worker server, so both use one Redis and one key prefix.
const config = await createConfig()
// With an OTLP endpoint set, the add and the wait are the first spans of the job's trace.
const stopTracing = await startTracing()
// A producer fails fast: if Redis does not answer within producerTimeoutMs, add() rejects
// with an error naming REDIS_URL (password hidden) instead of hanging.
const bull = new BullServiceFactory({ redisUrl: config.redisUrl, prefix: config.queuePrefix, producerTimeoutMs: 5_000 })
const queue = new PikkuQueue(bull.getQueueService())

const message = process.argv[2] ?? 'world'
try {
  const jobId = await queue.add('hello-world-queue', { message, fail: false })
  console.log(`Added job ${jobId} to hello-world-queue, waiting for a worker…`)
  try {
    const { result } = await queue.waitForResult('hello-world-queue', jobId, { timeoutMs: 30_000 })
    console.log(result)
  } catch (error) {
    console.error(`Job ${jobId} did not succeed: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  }
} catch (error) {
  console.error(`Could not add the job: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
} finally {
  await bull.close()
  await stopTracing?.()
}
