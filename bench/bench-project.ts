// The generated project the worker benchmarks run: the template plus two bench queues doing the
// same work as the raw BullMQ baseline (bench/fixtures/raw-bullmq-worker.mjs).
import { createBuiltProject } from '../test/support/generated-project.js'

const BENCH_FUNCTIONS = `import { setTimeout as sleep } from 'node:timers/promises'
import { pikkuSessionlessFunc } from '../.pikku/pikku-types.gen.js'

/** The same no-op work as the raw BullMQ baseline. */
export const benchNoop = pikkuSessionlessFunc<{ i: number }, { ok: boolean }>(async () => ({ ok: true }))

/** A no-op workflow step that runs as its own job (queue wf-step-bench-queued-step). */
export const benchQueuedStep = pikkuSessionlessFunc<{ i: number }, { ok: boolean }>({ workflowQueued: true, func: async () => ({ ok: true }) })

/** A no-op workflow step that runs inline, in the orchestration. */
export const benchInlineStep = pikkuSessionlessFunc<{ i: number }, { ok: boolean }>(async () => ({ ok: true }))

/** One millisecond of waiting, standing in for a database or API call. */
export const benchIo = pikkuSessionlessFunc<{ i: number }, { ok: boolean }>(async () => {
  await sleep(1)
  return { ok: true }
})
`

const BENCH_WORKFLOWS = `import { pikkuWorkflowFunc } from '../.pikku/workflow/pikku-workflow-types.gen.js'

/** Ten sequential no-op steps, each its own job. */
export const benchQueuedSteps = pikkuWorkflowFunc<{ steps: number }, number>(async (_services, { steps }, { workflow }) => {
  for (let i = 0; i < steps; i++) await workflow.do(\`step \${i}\`, 'benchQueuedStep', { i })
  return steps
})

/** Ten sequential no-op steps, inline. */
export const benchInlineSteps = pikkuWorkflowFunc<{ steps: number }, number>(async (_services, { steps }, { workflow }) => {
  for (let i = 0; i < steps; i++) await workflow.do(\`step \${i}\`, 'benchInlineStep', { i })
  return steps
})
`

/**
 * Times workflow steps against plain jobs, in one process with the template's defaults: usage
 * node dist/client/bench-workflow.js <jobs|queued|inline> <runs>; prints µs per job or per step.
 * jobs: a chain of no-op jobs, each added when the previous finished (what a step replaces).
 */
const BENCH_WORKFLOW = `import '../.pikku/pikku-bootstrap.gen.js'
import { BullServiceFactory } from 'pikku-bullmq'
import { PikkuQueue } from '../.pikku/pikku-queue.gen.js'
import { PikkuWorkflows } from '../.pikku/pikku-workflow.gen.js'
import { createConfig } from '../src/config.js'
import { createSingletonServices } from '../src/services.js'

const [mode, runs] = [process.argv[2], Number(process.argv[3])]
const STEPS = 10
const config = await createConfig()
const bull = new BullServiceFactory({ redisUrl: config.redisUrl, prefix: config.queuePrefix, logger: { info() {}, warn() {}, error() {}, debug() {}, setLevel() {} } as never })
await bull.init()
const scheduler = bull.getSchedulerService()
const workflowService = bull.getWorkflowService()
await createSingletonServices(config, { queueService: bull.getQueueService(), schedulerService: scheduler, workflowService })
await bull.getQueueWorkers().registerQueues()
await scheduler.start()
const queue = new PikkuQueue(bull.getQueueService())
const workflows = new PikkuWorkflows(workflowService)
const once = async () => {
  if (mode === 'jobs') {
    for (let i = 0; i < STEPS; i++) await queue.waitForResult('bench-noop', await queue.add('bench-noop', { i }), { timeoutMs: 30_000 })
    return
  }
  const name = mode === 'queued' ? 'benchQueuedSteps' : 'benchInlineSteps'
  const { runId } = await workflows.start(name, { steps: STEPS })
  await workflows.waitForResult(name, runId, { timeoutMs: 60_000 })
}
await once()
const started = performance.now()
for (let run = 0; run < runs; run++) await once()
console.log(((performance.now() - started) * 1000) / (runs * STEPS))
await bull.close()
process.exit(0)
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
 * Core's runner called as pikku-bullmq calls it for a job of the no-op queue, for the in-process
 * scripts below (they import runPikkuFunc, getCreateWireServices, getSingletonServices and pikkuState).
 */
const CORE_RUNNER_CALL = `const meta = pikkuState(null, 'queue', 'meta')['bench-noop']!
const registration = pikkuState(null, 'queue', 'registrations').get('bench-noop')!
const queueWire = { queueName: 'bench-noop', jobId: '1', attempt: 1, maxAttempts: 1, updateProgress: async () => {}, log: async () => {}, getChildrenValues: async () => ({}), fail: async () => {}, discard: async () => {} }
const callCoreRunner = (i: number) =>
  runPikkuFunc('queue', 'bench-noop', meta.pikkuFuncId, {
    singletonServices: getSingletonServices(),
    createWireServices: getCreateWireServices(),
    auth: false,
    data: () => ({ i }),
    inheritedMiddleware: meta.middleware,
    wireMiddleware: registration.middleware,
    tags: registration.tags,
    wire: { traceId: \`bench-noop:\${i}\`, queue: { ...queueWire, jobId: String(i) } },
  })`

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
${CORE_RUNNER_CALL}

const call = (i: number) => (mode === 'direct' ? benchNoop.func(services as any, { i }, { queue: queueWire } as any) : callCoreRunner(i))
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

/**
 * Bytes allocated per no-op job, in process: usage node dist/client/bench-allocation.js <mode> <calls>.
 * Modes: `raw` (a BullMQ processor returning the same value), `core-runner` (core's runPikkuFunc as
 * pikku-bullmq calls it), and `attempt-core` / `attempt-lean` (the whole attempt, through the
 * worker's processJob, on core's path or the lean one). V8's sampling heap profiler, keeping objects
 * collected by minor and major GCs, samples every allocation of the timed calls; prints bytes per
 * call and the five functions that allocated most, as JSON.
 */
const BENCH_ALLOCATION = `import '../.pikku/pikku-bootstrap.gen.js'
import { Session } from 'node:inspector/promises'
import { Job, Queue } from 'bullmq'
import { getCreateWireServices, getSingletonServices, pikkuState, runPikkuFunc } from '@pikku/core/ecosystem'
import { BullServiceFactory, PinoLogger } from 'pikku-bullmq'
import { createConfig } from '../src/config.js'
import { createSingletonServices } from '../src/services.js'

const [mode, calls] = [process.argv[2]!, Number(process.argv[3])]
const config = await createConfig()
const logger = new PinoLogger()
const bull = new BullServiceFactory({ redisUrl: config.redisUrl, prefix: \`bench-alloc-\${process.pid}\`, logger, leanAttempts: mode !== 'attempt-core' })
await createSingletonServices(config, { queueService: bull.getQueueService(), logger })
const workers = bull.getQueueWorkers()
await workers.registerQueues()
const worker = workers.getWorker('bench-noop')!
const queue = new Queue('bench-noop', { connection: { lazyConnect: true } })
const rawProcessor = async (job: Job) => (job.data ? { ok: true } : undefined)
${CORE_RUNNER_CALL}

// processJob is the worker's processor, private to BullQueueWorkers: called as BullMQ calls it.
const processJob = (job: Job) => (workers as any).processJob(worker, job, 'token', undefined)
const call = (i: number): Promise<unknown> => {
  if (mode === 'core-runner') return callCoreRunner(i)
  const job = new Job(queue, 'job', { i }, {}, String(i))
  return mode === 'raw' ? rawProcessor(job) : processJob(job)
}
const run = async (count: number) => {
  let next = 0
  await Promise.all(Array.from({ length: 10 }, async () => { while (next < count) await call(next++) }))
}
await run(20_000)
const session = new Session()
session.connect()
await session.post('HeapProfiler.enable')
await session.post('HeapProfiler.collectGarbage')
await session.post('HeapProfiler.startSampling', { samplingInterval: 128, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never)
await run(calls)
const { profile } = await session.post('HeapProfiler.stopSampling')
type Node = { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[] }
const byFunction = new Map<string, number>()
let total = 0
const visit = (node: Node) => {
  total += node.selfSize
  const where = node.callFrame.url ? \`\${node.callFrame.url.replace(/^.*node_modules\\//, '').replace(/^file:.*\\/app\\//, '')}:\${node.callFrame.lineNumber + 1}\` : ''
  const name = \`\${node.callFrame.functionName || '(anonymous)'} \${where}\`.trim()
  byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize)
  for (const child of node.children) visit(child)
}
visit(profile.head as Node)
session.disconnect()
const top = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([name, bytes]) => ({ name, bytesPerCall: bytes / calls }))
console.log(JSON.stringify({ bytesPerCall: total / calls, top }))
await queue.close()
await bull.close()
`

export function createBenchProject(): string {
  return createBuiltProject('bench', {
    'src/bench.functions.ts': BENCH_FUNCTIONS,
    'src/bench.routes.ts': BENCH_ROUTES,
    'client/bench-enqueue.ts': BENCH_ENQUEUE,
    'client/bench-core-runner.ts': BENCH_CORE_RUNNER,
    'client/bench-allocation.ts': BENCH_ALLOCATION,
    'src/bench.workflow.ts': BENCH_WORKFLOWS,
    'client/bench-workflow.ts': BENCH_WORKFLOW,
  })
}
