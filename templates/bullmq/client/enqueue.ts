// A typed producer: adds a job, waits for it to finish and prints the result.
// Run it while `npm start` is running in another terminal.
import { BullServiceFactory } from 'pikku-bullmq'
import { PikkuQueue } from '../.pikku/pikku-queue.gen.js'
import { createConfig } from '../src/config.js'

// The same config as the worker server, so both use one Redis and one key prefix.
const config = await createConfig()
const bull = new BullServiceFactory({ redisUrl: config.redisUrl, prefix: config.queuePrefix })
const queue = new PikkuQueue(bull.getQueueService())

try {
  const message = process.argv[2] ?? 'world'
  const jobId = await queue.add('hello-world-queue', { message, fail: false })
  console.log(`Added job ${jobId} to hello-world-queue, waiting for a worker…`)
  const { result } = await queue.waitForResult('hello-world-queue', jobId, { timeoutMs: 30_000 })
  console.log(result)
} catch (error) {
  console.error(`The job did not succeed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
} finally {
  await bull.close()
}
