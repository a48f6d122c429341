// The worker server the dev-loop test runs under `pikku --watch -- ...`: boots the
// project's generated workers on Redis (prefix from DEV_PREFIX), prints READY with
// its queues, and closes on SIGTERM like the template's start.ts.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ConsoleLogger, LocalSecretService, LocalVariablesService } from '@pikku/core/services'
import { BullServiceFactory } from 'pikku-bullmq'

const load = (file: string) => import(pathToFileURL(join(process.cwd(), '.pikku', file)).href)
await load('pikku-bootstrap.gen.ts')
const { pikkuServices } = await load('pikku-types.gen.ts')
const bull = new BullServiceFactory({ redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: process.env.DEV_PREFIX! })
await bull.init()
await pikkuServices(async (config: object) => {
  const variables = new LocalVariablesService()
  return { config, logger: new ConsoleLogger(), variables, secrets: new LocalSecretService(variables) }
})({}, { queueService: bull.getQueueService() })
const queues = await bull.getQueueWorkers().registerQueues()
console.log(`READY queues=${Object.keys(queues).sort().join(',')}`)

process.once('SIGTERM', async () => {
  await bull.close({ timeoutMs: 1000 })
  process.exit(0)
})
