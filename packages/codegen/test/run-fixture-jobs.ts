// Runs one generated fixture project's workers on Redis in this process, adds its
// jobs with a plain BullMQ producer (as any producer in any language could), and
// prints each job's outcome as JSON; then runs each listed scheduled task once through
// core. Usage: tsx run-fixture-jobs.ts <project dir>
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ConsoleLogger, LocalSecretService, LocalVariablesService } from '@pikku/core/services'
import { Queue, QueueEvents } from 'bullmq'
import { Redis } from 'ioredis'
import { getScheduledTasks, runScheduledTask } from '@pikku/core/scheduler'
import { BullServiceFactory } from 'pikku-bullmq'

export interface FixtureJob {
  queue: string
  data: unknown
}

export interface JobOutcome {
  state: string
  result: unknown
  failedReason: string | undefined
  attemptsMade: number
}

const dir = process.argv[2]!
const { jobs = [], scheduled = [] } = JSON.parse(readFileSync(join(dir, 'fixture.json'), 'utf8')) as { jobs?: FixtureJob[]; scheduled?: string[] }
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const prefix = `codegen-fixture-${process.pid}-${Date.now()}`
const load = (file: string) => import(pathToFileURL(join(dir, '.pikku', file)).href)

await load('pikku-bootstrap.gen.ts')
const { pikkuServices } = await load('pikku-types.gen.ts')
const bull = new BullServiceFactory({ redisUrl, prefix })
await bull.init()
const createServices = pikkuServices(async (config: object) => {
  const variables = new LocalVariablesService()
  return { config, logger: new ConsoleLogger(), variables, secrets: new LocalSecretService(variables) }
})
await createServices({}, { queueService: bull.getQueueService() })
await bull.getQueueWorkers().registerQueues()

const outcomes: JobOutcome[] = []
try {
  for (const { queue: name, data } of jobs) {
    const queue = new Queue(name, { connection: { url: redisUrl }, prefix })
    const events = new QueueEvents(name, { connection: { url: redisUrl }, prefix })
    await events.waitUntilReady()
    const job = await queue.add(name, data, { attempts: 3, backoff: { type: 'fixed', delay: 10 } })
    await job.waitUntilFinished(events, 15_000).catch(() => undefined)
    const finished = (await queue.getJob(job.id!))!
    outcomes.push({
      state: await finished.getState(),
      result: finished.returnvalue ?? null,
      failedReason: finished.failedReason || undefined,
      attemptsMade: finished.attemptsMade,
    })
    await events.close()
    await queue.close()
  }
} finally {
  await bull.close()
  const redis = new Redis(redisUrl)
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  await redis.quit()
}
console.log(`OUTCOMES ${JSON.stringify(outcomes)}`)
console.log(`SCHEDULED ${JSON.stringify([...getScheduledTasks().keys()].sort())}`)
const runs: Record<string, unknown> = {}
for (const name of scheduled) {
  runs[name] = await (runScheduledTask({ name }) as Promise<unknown>).then((result) => result ?? null, (error: Error) => `error: ${error.message}`)
}
console.log(`RUNS ${JSON.stringify(runs)}`)
