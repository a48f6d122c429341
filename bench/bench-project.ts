// The generated project the worker benchmarks run: the template plus two bench queues doing the
// same work as the raw BullMQ baseline (bench/fixtures/raw-bullmq-worker.mjs).
import { createBuiltProject } from '../test/support/generated-project.js'

const BENCH_FUNCTIONS = `import { setTimeout as sleep } from 'node:timers/promises'
import { pikkuSessionlessFunc } from '../.pikku/pikku-types.gen.js'

/** The same no-op work as the raw BullMQ baseline. */
export const benchNoop = pikkuSessionlessFunc<{ i: number }, { ok: boolean }>(async () => ({ ok: true }))

/** One millisecond of waiting, standing in for a database or API call. */
export const benchIo = pikkuSessionlessFunc<{ i: number }, { ok: boolean }>(async () => {
  await sleep(1)
  return { ok: true }
})
`

const BENCH_ROUTES = `import { wireQueueWorker } from '../.pikku/pikku-types.gen.js'
import { benchIo, benchNoop } from './bench.functions.js'

const batchSize = Number(process.env.BENCH_CONCURRENCY ?? 1)
wireQueueWorker({ name: 'bench-noop', func: benchNoop, config: { batchSize } })
wireQueueWorker({ name: 'bench-io', func: benchIo, config: { batchSize } })
`

/** Times the typed producer: usage node dist/client/bench-enqueue.js <add|addBulk> <jobs>; prints jobs/s. */
const BENCH_ENQUEUE = `import { BullServiceFactory } from 'pikku-bullmq'
import { PikkuQueue } from '../.pikku/pikku-queue.gen.js'

const [mode, count] = [process.argv[2], Number(process.argv[3])]
const bull = new BullServiceFactory({ prefix: process.env.PIKKU_QUEUE_PREFIX })
const queue = new PikkuQueue(bull.getQueueService())
const run = async (jobs: number) => {
  const started = performance.now()
  if (mode === 'addBulk') {
    for (let i = 0; i < jobs; i += 100) await queue.addBulk('bench-noop', Array.from({ length: 100 }, (_, j) => ({ data: { i: i + j } })))
  } else {
    for (let i = 0; i < jobs; i++) await queue.add('bench-noop', { i })
  }
  return jobs / ((performance.now() - started) / 1000)
}
await run(200)
console.log(await run(count))
await bull.close()
`

export function createBenchProject(): string {
  return createBuiltProject('bench', {
    'src/bench.functions.ts': BENCH_FUNCTIONS,
    'src/bench.routes.ts': BENCH_ROUTES,
    'client/bench-enqueue.ts': BENCH_ENQUEUE,
  })
}
