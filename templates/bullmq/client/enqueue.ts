// A typed producer: adds a job, waits for it to finish and prints the result.
// Run it while `npm start` is running in another terminal.
import { BullServiceFactory } from 'pikku-bullmq'
import { PikkuQueue } from '../.pikku/pikku-queue.gen.js'

const bull = new BullServiceFactory({
  redisUrl: process.env.REDIS_URL,
  prefix: process.env.PIKKU_QUEUE_PREFIX,
})
const queue = new PikkuQueue(bull.getQueueService())

try {
  const message = process.argv[2] ?? 'world'
  const jobId = await queue.add('hello-world-queue', { message, fail: false })
  console.log(`Added job ${jobId} to hello-world-queue, waiting for a worker…`)
  const { result } = await queue.waitForResult('hello-world-queue', jobId, { timeoutMs: 30_000 })
  console.log(result)
} finally {
  await bull.close()
}
