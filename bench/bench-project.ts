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

/**
 * Times core's function runner in process: usage node dist/client/bench-core-runner.js <core|direct> <calls>.
 * Runs the no-op function through runPikkuFunc as pikku-bullmq does (core), or calls it directly,
 * 10 at a time; prints µs per call and the garbage collection pause in it, as JSON.
 */
const BENCH_CORE_RUNNER = `import '../.pikku/pikku-bootstrap.gen.js'
import { PerformanceObserver } from 'node:perf_hooks'
import { getCreateWireServices, getSingletonServices, pikkuState, runPikkuFunc } from '@pikku/core/ecosystem'
import { PinoLogger } from 'pikku-bullmq'
import { benchNoop } from '../src/bench.functions.js'
import { createConfig } from '../src/config.js'
import { createSingletonServices } from '../src/services.js'

const [mode, calls] = [process.argv[2], Number(process.argv[3])]
await createSingletonServices(await createConfig(), { logger: new PinoLogger() })
const services = getSingletonServices()
const meta = pikkuState(null, 'queue', 'meta')['bench-noop']!
const registration = pikkuState(null, 'queue', 'registrations').get('bench-noop')!
const queue = { queueName: 'bench-noop', jobId: '1', attempt: 1, maxAttempts: 1, updateProgress: async () => {}, log: async () => {}, getChildrenValues: async () => ({}), fail: async () => {}, discard: async () => {} }

const call = (i: number) =>
  mode === 'direct'
    ? benchNoop.func(services as any, { i }, { queue } as any)
    : runPikkuFunc('queue', 'bench-noop', meta.pikkuFuncId, {
        singletonServices: services,
        createWireServices: getCreateWireServices(),
        auth: false,
        data: () => ({ i }),
        inheritedMiddleware: meta.middleware,
        wireMiddleware: registration.middleware,
        tags: registration.tags,
        wire: { traceId: \`bench-noop:\${i}\`, queue: { ...queue, jobId: String(i) } },
      })
const run = async (count: number) => {
  let next = 0
  await Promise.all(Array.from({ length: 10 }, async () => { while (next < count) await call(next++) }))
}
await run(20_000)
let gcMs = 0
const observer = new PerformanceObserver((list) => { for (const entry of list.getEntries()) gcMs += entry.duration })
observer.observe({ entryTypes: ['gc'] })
const started = performance.now()
await run(calls)
const elapsedMs = performance.now() - started
// GC entries reach the observer asynchronously.
await new Promise((resolve) => setTimeout(resolve, 100))
observer.disconnect()
console.log(JSON.stringify({ usPerCall: (elapsedMs * 1000) / calls, gcUsPerCall: (gcMs * 1000) / calls }))
`

export function createBenchProject(): string {
  return createBuiltProject('bench', {
    'src/bench.functions.ts': BENCH_FUNCTIONS,
    'src/bench.routes.ts': BENCH_ROUTES,
    'client/bench-enqueue.ts': BENCH_ENQUEUE,
    'client/bench-core-runner.ts': BENCH_CORE_RUNNER,
  })
}
