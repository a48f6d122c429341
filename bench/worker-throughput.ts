// How much does the Pikku runtime cost per job? Runs the same no-op jobs through a raw BullMQ
// Worker (the baseline) and through pikku-bullmq (runQueueJob, middleware chain, job mapping),
// alternating rounds in one process so machine noise hits both alike.
import { Queue, Worker } from 'bullmq'
import { pikkuState, setSingletonServices } from '@pikku/core/ecosystem'
import { wireQueueWorker } from '@pikku/core/queue'
import { ConsoleLogger, LocalSecretService, LocalVariablesService, LogLevel } from '@pikku/core/services'
import { BullServiceFactory } from 'pikku-bullmq'
import { formatRounds, summarize, type BenchSection } from './stats.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const JOBS = Number(process.env.BENCH_JOBS ?? 10_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONCURRENCY = [1, 10]
const QUEUE = 'bench'
const { hostname, port } = new URL(REDIS_URL)
const connection = { host: hostname, port: Number(port || 6379) }

// Core logs every job at info level; keep the measurement about the runtime, not the console.
const logger = new ConsoleLogger()
logger.setLevel(LogLevel.error)

function setUpPikku(): void {
  pikkuState(null, 'function', 'meta', { noop: { pikkuFuncId: 'noop', sessionless: true, inputSchemaName: null, outputSchemaName: null } })
  pikkuState(null, 'queue', 'meta', { [QUEUE]: { pikkuFuncId: 'noop', name: QUEUE } })
  const variables = new LocalVariablesService()
  setSingletonServices({ config: {}, logger, variables, secrets: new LocalSecretService(variables) })
}

/** Fills a fresh queue, then times how long a consumer takes to complete every job. */
async function measure(kind: 'bullmq' | 'pikku', concurrency: number): Promise<number> {
  const prefix = `bench-${process.pid}-${Date.now()}`
  const queue = new Queue(QUEUE, { connection, prefix })
  for (let i = 0; i < JOBS; i += 1000) {
    const chunk = Array.from({ length: Math.min(1000, JOBS - i) }, (_, j) => ({
      name: 'job',
      data: { i: i + j },
      opts: { removeOnComplete: true },
    }))
    await queue.addBulk(chunk)
  }
  let done = 0
  let finished!: () => void
  const allDone = new Promise<void>((resolve) => (finished = resolve))
  const onCompleted = () => ++done === JOBS && finished()

  const started = performance.now()
  let stop: () => Promise<unknown>
  if (kind === 'bullmq') {
    const worker = new Worker(QUEUE, async () => ({ ok: true }), { connection, prefix, concurrency })
    worker.on('completed', onCompleted)
    stop = () => worker.close()
  } else {
    pikkuState(null, 'queue', 'registrations').clear()
    wireQueueWorker({ name: QUEUE, func: { func: async () => ({ ok: true }) }, config: { batchSize: concurrency } })
    const factory = new BullServiceFactory({ redisUrl: REDIS_URL, prefix, logger })
    const workers = factory.getQueueWorkers()
    await workers.registerQueues()
    workers.getWorker(QUEUE)!.on('completed', onCompleted)
    stop = () => factory.close()
  }
  await allDone
  const seconds = (performance.now() - started) / 1000
  await stop()
  await queue.obliterate({ force: true })
  await queue.close()
  return JOBS / seconds
}

export async function benchWorkerThroughput(): Promise<BenchSection> {
  setUpPikku()
  const rows: string[] = []
  for (const concurrency of CONCURRENCY) {
    const results = { bullmq: [] as number[], pikku: [] as number[] }
    const ratios: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order so warm-up and drift do not favour one side.
      const order: Array<'bullmq' | 'pikku'> = round % 2 ? ['pikku', 'bullmq'] : ['bullmq', 'pikku']
      for (const kind of order) results[kind].push(await measure(kind, concurrency))
      ratios.push(results.pikku.at(-1)! / results.bullmq.at(-1)!)
    }
    const base = summarize(results.bullmq)
    const pikku = summarize(results.pikku)
    const overheadUs = (1 / pikku.median - 1 / base.median) * 1e6
    const row = `| ${concurrency} | ${formatRounds(base)} | ${formatRounds(pikku)} | ${formatRounds(summarize(ratios), 2)} | ${overheadUs.toFixed(0)} |`
    console.log(`worker throughput ${row}`)
    rows.push(row)
  }
  return {
    title: 'Worker throughput: pikku-bullmq against a raw BullMQ Worker',
    markdown: `${JOBS} no-op jobs pre-loaded with \`addBulk\` (\`removeOnComplete: true\`), consumed by one worker in this
process; jobs/s from the worker's start to the last \`completed\` event; ${ROUNDS} alternating rounds,
median (min–max). The baseline is a plain BullMQ Worker measured in the same run; the ratio is
pikku / baseline per round. The extra µs/job column is the wall time per job that the Pikku path adds
(job mapping, \`runQueueJob\`, middleware chain, error mapping), from the medians. Core's per-job info
logging is off (log level error) on both sides.

| concurrency | raw BullMQ jobs/s | pikku-bullmq jobs/s | ratio | extra µs/job |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
`,
  }
}
