// Scaffolds a real project with the built CLI, installs it from the npm registry (plus the
// vendored companion packages), and drives it against the Redis at REDIS_URL.
import assert from 'node:assert/strict'
import { execFile, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, afterEach, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Queue, QueueEvents } from 'bullmq'
import { cleanEnv } from './support/clean-env.js'
import { deleteKeysWithPrefix } from './support/redis-keys.js'
import { startOtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js'
import { exitOf, signalGroup, startWorkerServer, type WorkerServer } from './support/worker-server.js'

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..')
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const PREFIX = `e2e-${process.pid}-${Date.now()}`
const env = cleanEnv({ CI: 'true', REDIS_URL, PIKKU_QUEUE_PREFIX: PREFIX, SHUTDOWN_TIMEOUT_MS: '20000' })
const connection = { host: new URL(REDIS_URL).hostname, port: Number(new URL(REDIS_URL).port || 6379) }

const workspace = mkdtempSync(join(tmpdir(), 'create-pikku-e2e-'))
const app = join(workspace, 'my-app')
const servers: ChildProcess[] = []
const queues: Queue[] = []

function run(command: string, args: string[], cwd = app) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 300_000 })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

function startServer(command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<WorkerServer> {
  return startWorkerServer(command, args, { cwd: app, env: { ...env, ...extraEnv } }).then((server) => {
    servers.push(server.child)
    return server
  })
}

/** One Queue per name: two obliterating the same queue at the end would collide. */
function queue(name: string): Queue {
  const existing = queues.find((q) => q.name === name)
  if (existing) return existing
  const q = new Queue(name, { connection, prefix: PREFIX })
  queues.push(q)
  return q
}

/** Waits up to 10 s for every worker of the queue to disconnect. */
async function noWorkerLeft(q: Queue): Promise<void> {
  const deadline = Date.now() + 10_000
  while ((await q.getWorkersCount()) > 0) {
    assert.ok(Date.now() < deadline, `a worker of ${q.name} is still connected 10 s after SIGTERM`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function waitForState(q: Queue, jobId: string, states: string[], timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const state = await q.getJobState(jobId)
    if (states.includes(state)) return state
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${state} after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

before(() => {
  const scaffold = run(process.execPath, [join(REPO, 'bin/create-pikku.js'), 'my-app', '--runtime', 'bullmq', '--yes'], workspace)
  assert.equal(scaffold.status, 0, scaffold.output)
})

// A test that fails before stopping its server must not leave it taking the next test's jobs.
afterEach(async () => {
  const running = servers.filter((child) => child.exitCode === null && child.signalCode === null)
  for (const child of running) signalGroup(child, 'SIGKILL')
  await Promise.all(running.map(exitOf))
})

after(async () => {
  for (const child of servers) signalGroup(child, 'SIGKILL')
  await Promise.all(queues.map((q) => q.obliterate({ force: true }).then(() => q.close())))
  await deleteKeysWithPrefix(REDIS_URL, PREFIX)
  rmSync(workspace, { recursive: true, force: true })
})

describe('create-pikku --runtime bullmq, end to end', () => {
  test('scaffolds the worker files, installs only vendored and registry packages, and codegen is already up to date', () => {
    for (const file of ['queue-worker.functions.ts', 'queue-worker.routes.ts', 'start.ts']) {
      assert.ok(existsSync(join(app, 'src', file)), `src/${file} missing`)
    }
    const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'))
    assert.equal(pkg.name, 'my-app')
    assert.equal(pkg.dependencies['@pikku/core'], '0.12.84')
    assert.match(pkg.dependencies['pikku-bullmq'], /^file:vendor\/pikku-bullmq-.*\.tgz$/)
    assert.match(pkg.devDependencies['pikku-codegen'], /^file:vendor\/pikku-codegen-.*\.tgz$/)
    // The companion packages were installed from the packed tarballs, not looked up on the registry.
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'))
    for (const name of ['pikku-bullmq', 'pikku-codegen']) {
      assert.match(lock.packages[`node_modules/${name}`].resolved, new RegExp(`^file:vendor/${name}-.*\\.tgz$`))
      assert.ok(existsSync(join(app, 'node_modules', name, 'dist', 'index.js')), `${name} is not installed`)
    }

    const generated = readTree(join(app, '.pikku'))
    assert.ok(Object.keys(generated).length >= 5, 'codegen did not run during scaffolding')
    const regen = run('npm', ['run', 'pikku'])
    assert.equal(regen.status, 0, regen.output)
    assert.match(regen.output, /unchanged \.pikku\//)
    assert.deepEqual(readTree(join(app, '.pikku')), generated)
  })

  test('type-checks, and a wrong payload or queue name given to PikkuQueue.add is a compile error', () => {
    const clean = run('npx', ['tsc', '--noEmit'])
    assert.equal(clean.status, 0, clean.output)
    const probe = join(app, 'client', 'wrong-payload.ts')
    writeFileSync(probe, [
      "import type { QueueService } from '@pikku/core/queue'",
      "import { PikkuQueue } from '../.pikku/pikku-queue.gen.js'",
      'declare const service: QueueService',
      'const queue = new PikkuQueue(service)',
      "await queue.add('hello-world-queue', { message: 42, fail: false })",
      "await queue.add('no-such-queue', { message: 'x', fail: false })",
      '',
    ].join('\n'))
    try {
      const broken = run('npx', ['tsc', '--noEmit'])
      assert.equal(broken.status, 2, broken.output)
      assert.match(broken.output, /client\/wrong-payload\.ts\(5,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/)
      assert.match(broken.output, /client\/wrong-payload\.ts\(6,\d+\): error TS2345: Argument of type '"no-such-queue"'/)
    } finally {
      rmSync(probe)
    }
  })

  test('npm start logs ready, npm run enqueue prints the result, failures retry, plain BullMQ jobs run', async () => {
    const server = await startServer('npm', ['start'])
    const enqueue = run('npm', ['run', 'enqueue', '--', 'e2e'])
    assert.equal(enqueue.status, 0, enqueue.output)
    assert.match(enqueue.output, /Hello, e2e!/)

    // The monitoring server start.ts wires in: ready, and counting the job just run.
    const monitoringUrl = /Monitoring on (http:\/\/\S+):/.exec(server.output())?.[1]
    assert.ok(monitoringUrl, server.output())
    assert.equal((await fetch(`${monitoringUrl}/readyz`)).status, 200)
    assert.match(await (await fetch(`${monitoringUrl}/metrics`)).text(), /^pikku_queue_jobs_completed_total\{queue="hello-world-queue"\} 1$/m)

    // The README's workflow command: reserve (its own job), a 2 s sleep, confirm; then the run in the views.
    const order = run('npm', ['run', 'order', '--', 'sku-e2e', '2'])
    assert.equal(order.status, 0, order.output)
    assert.match(order.output, /Started orderWorkflow run (\S+), waiting/)
    assert.match(order.output, /\{\s+reservationId: 'res-[^']+',\s+confirmed: true\s+\}/)
    const runId = /Started orderWorkflow run (\S+),/.exec(order.output)![1]!
    assert.match(await (await fetch(`${monitoringUrl}/metrics`)).text(), /^pikku_workflow_runs\{status="completed"\} 1$/m)
    const steps = run('npm', ['run', 'queues', '--', 'workflow', runId])
    assert.equal(steps.status, 0, steps.output)
    for (const step of ['Reserve stock', 'Wait for payment', 'Confirm order']) assert.match(steps.output, new RegExp(`${step}.*succeeded`))

    const hello = queue('hello-world-queue')
    const failing = await hello.add('fail-me', { message: 'boom', fail: true }, { attempts: 3, backoff: { type: 'fixed', delay: 50 } })
    assert.equal(await waitForState(hello, failing.id!, ['failed', 'completed']), 'failed')
    const failed = (await hello.getJob(failing.id!))!
    assert.equal(failed.attemptsMade, 3)
    assert.equal(failed.failedReason, 'Failed on purpose: boom')
    assert.equal(server.output().match(new RegExp(`hello-world job ${failing.id}:`, 'g'))?.length, 3)

    const plain = await hello.add('any-name', { message: 'from plain bullmq', fail: false })
    assert.equal(await waitForState(hello, plain.id!, ['completed', 'failed']), 'completed')
    assert.deepEqual((await hello.getJob(plain.id!))!.returnvalue, { result: 'Hello, from plain bullmq!' })

    // Data is validated against the worker's input type before the function runs: invalid data fails once, naming the field.
    for (const [data, reason] of [
      [{ nope: true }, /message: required, expected string/],
      ['just a string', /data: expected object, got string/],
    ] as const) {
      const invalid = await hello.add('invalid', data, { attempts: 3, backoff: { type: 'fixed', delay: 50 } })
      assert.equal(await waitForState(hello, invalid.id!, ['failed', 'completed']), 'failed')
      const rejected = (await hello.getJob(invalid.id!))!
      assert.match(rejected.failedReason, reason)
      assert.equal(rejected.attemptsMade, 1)
    }

    signalGroup(server.child, 'SIGTERM')
    await exitOf(server.child)
    // The server behind npm shuts down too: no worker of this prefix is left to take later jobs.
    await noWorkerLeft(hello)
  })

  test('with an OTLP endpoint set, the client and the worker export one trace of the job to it', async () => {
    const receiver = await startOtlpReceiver()
    try {
      const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }
      const server = await startServer('npm', ['start'], { ...otel, OTEL_SERVICE_NAME: 'e2e-worker' })
      // Not spawnSync: the receiver must answer the client's export while it runs.
      const enqueue = await new Promise<string>((resolve, reject) =>
        execFile('npm', ['run', 'enqueue', '--', 'traced'], { cwd: app, env: { ...env, ...otel, OTEL_SERVICE_NAME: 'e2e-client' }, timeout: 60_000 }, (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stdout}${stderr}`)) : resolve(stdout),
        ),
      )
      assert.match(enqueue, /Hello, traced!/)
      // The client flushed its spans on exit; the worker exports its batch within 5 s.
      const add = receiver.spans.find((span) => span.name === 'add hello-world-queue.hello-world-queue')
      assert.ok(add, `no add span among ${receiver.spans.map((span) => span.name).join(', ')}`)
      const deadline = Date.now() + 15_000
      while (!receiver.spans.some((span) => span.traceId === add.traceId && span.name === 'process hello-world-queue')) {
        assert.ok(Date.now() < deadline, `the worker exported no process span within 15 s: ${receiver.spans.map((span) => `${span.service} ${span.name}`).join(', ')}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      signalGroup(server.child, 'SIGTERM')
      await exitOf(server.child)
      const inTrace = (service: string, name: string): ReceivedSpan => {
        const found = receiver.spans.filter((span) => span.traceId === add.traceId && span.service === service && span.name === name)
        assert.equal(found.length, 1, `one ${service} '${name}' span in the job's trace`)
        return found[0]!
      }
      const process = inTrace('e2e-worker', 'process hello-world-queue')
      const run = inTrace('e2e-worker', 'run helloWorld')
      const fn = inTrace('e2e-worker', 'function helloWorld')
      assert.equal(add.service, 'e2e-client')
      assert.deepEqual([process.parentSpanId, run.parentSpanId, fn.parentSpanId], [add.spanId, process.spanId, run.spanId])
      assert.equal(process.attributes['pikku.job.outcome'], 'completed')
      // The client's wait for the result is a trace of its own, linked to the job's.
      const wait = receiver.spans.find((span) => span.service === 'e2e-client' && span.name === 'wait hello-world-queue')
      assert.deepEqual(wait?.links, [{ traceId: add.traceId, spanId: add.spanId }])
      assert.match(server.output(), new RegExp(`"trace_id":"${add.traceId}","span_id":"${fn.spanId}","msg":"hello-world job \\d+: traced"`))
    } finally {
      await receiver.close()
    }
  })

  test('a setting that is not a number stops start-up, naming the variable and the value it had', () => {
    for (const [name, value, range] of [['MONITORING_PORT', 'abc', '0 to 65535'], ['SHUTDOWN_TIMEOUT_MS', '25s', '0 to 9007199254740991']]) {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/start.ts'], { cwd: app, env: { ...env, [name]: value }, encoding: 'utf8', timeout: 60_000 })
      assert.equal(result.status, 1, result.stdout)
      assert.match(result.stderr, new RegExp(`${name} must be a whole number from ${range}, got "${value}"`))
      assert.doesNotMatch(`${result.stdout}${result.stderr}`, /NaN/)
    }
  })

  test("the generated project's own tests pass against Redis", () => {
    const tests = run('npm', ['test'])
    assert.equal(tests.status, 0, tests.output)
    assert.match(tests.output, /# pass 10\n# fail 0/)
  })

  test('the nightly schedule is created at start and its tick queues a sales report that runs', async () => {
    const server = await startServer(process.execPath, ['--import', 'tsx', 'src/start.ts'])
    assert.match(server.output(), /Schedule 'nightly-sales-report' \(0 2 \* \* \*\): next run \d{4}-\d\d-\d\dT02:00:00\.000Z/)
    const schedules = queue('pikku-schedules')
    const delayed = await schedules.getDelayed()
    assert.deepEqual(delayed.map((job) => job.name).sort(), ['nightly-sales-report', 'pikku-workflow-recovery'], 'one tick of each schedule waits')
    const tick = delayed.find((job) => job.name === 'nightly-sales-report')
    // Run tonight's tick now instead of waiting for it.
    await tick!.promote()
    assert.equal(await waitForState(schedules, tick!.id!, ['completed', 'failed']), 'completed')
    const reports = queue('sales-report')
    const queued = /Nightly sales report queued as job (\S+) /.exec(server.output())?.[1]
    assert.ok(queued, server.output())
    assert.equal(await waitForState(reports, queued, ['completed', 'failed']), 'completed')
    assert.deepEqual((await reports.getJob(queued))!.returnvalue, { orderCount: 2, totalCents: 2240, totalsByCountry: { NL: 1250, FR: 990 } })
    const schedulerNames = async () => (await schedules.getJobSchedulers()).map((scheduler) => scheduler.key).sort()
    assert.deepEqual(await schedulerNames(), ['nightly-sales-report', 'pikku-workflow-recovery'], 'the next tick is scheduled')

    signalGroup(server.child, 'SIGTERM')
    assert.equal(await exitOf(server.child), 0, server.output())
    assert.deepEqual(await schedulerNames(), ['nightly-sales-report', 'pikku-workflow-recovery'], 'a shutdown leaves the schedules in place')
  })

  test('SIGTERM while a job runs: the job completes, then the process exits 0', async () => {
    const server = await startServer(process.execPath, ['--import', 'tsx', 'src/start.ts'])
    const reports = queue('sales-report')
    const events = new QueueEvents('sales-report', { connection, prefix: PREFIX })
    await events.waitUntilReady()
    const orders = Array.from({ length: 10_000 }, (_, i) => ({ id: `o${i}`, country: i % 2 ? 'NL' : 'FR', amountCents: 100 }))
    const job = await reports.add('report', { orders })
    await new Promise<void>((resolve) => events.on('progress', ({ jobId }) => jobId === job.id && resolve()))
    await events.close()

    signalGroup(server.child, 'SIGTERM')
    assert.equal(await exitOf(server.child), 0, server.output())
    assert.equal(await reports.getJobState(job.id!), 'completed')
    assert.deepEqual((await reports.getJob(job.id!))!.returnvalue, {
      orderCount: 10_000,
      totalCents: 1_000_000,
      totalsByCountry: { FR: 500_000, NL: 500_000 },
    })
  })

  test('a new worker and its wiring type-check at the producer after npm run pikku, and run from compiled JavaScript', async () => {
    appendFileSync(join(app, 'src', 'queue-worker.functions.ts'), `
export const shout = pikkuSessionlessFunc<{ text: string }, { shouted: string }>(
  async (_services, { text }) => ({ shouted: text.toUpperCase() }),
)
`)
    const routes = join(app, 'src', 'queue-worker.routes.ts')
    writeFileSync(routes, readFileSync(routes, 'utf8')
      .replace("import { buildSalesReport, helloWorld } from './queue-worker.functions.js'", "import { buildSalesReport, helloWorld, shout } from './queue-worker.functions.js'")
      .concat("\nwireQueueWorker({ name: 'shout', func: shout })\n"))
    const codegen = run('npm', ['run', 'pikku'])
    assert.equal(codegen.status, 0, codegen.output)
    assert.match(codegen.output, /3 queue worker\(s\)/)

    const producer = join(app, 'client', 'shout.ts')
    writeFileSync(producer, [
      "import type { QueueService } from '@pikku/core/queue'",
      "import { PikkuQueue } from '../.pikku/pikku-queue.gen.js'",
      'declare const service: QueueService',
      'const queue = new PikkuQueue(service)',
      "await queue.add('shout', { text: 'ok' })",
      "const { shouted }: { shouted: string } = await queue.waitForResult('shout', 'id')",
      'void shouted',
      '',
    ].join('\n'))
    const typed = run('npx', ['tsc', '--noEmit'])
    assert.equal(typed.status, 0, typed.output)
    writeFileSync(producer, readFileSync(producer, 'utf8').replace("{ text: 'ok' }", '{ text: 1 }'))
    assert.equal(run('npx', ['tsc', '--noEmit']).status, 2)
    rmSync(producer)

    const build = run('npm', ['run', 'build'])
    assert.equal(build.status, 0, build.output)
    const server = await startServer(process.execPath, ['dist/src/start.js'])
    const shoutQueue = queue('shout')
    const job = await shoutQueue.add('shout', { text: 'compiled' })
    assert.equal(await waitForState(shoutQueue, job.id!, ['completed', 'failed']), 'completed')
    assert.deepEqual((await shoutQueue.getJob(job.id!))!.returnvalue, { shouted: 'COMPILED' })
    assert.doesNotMatch(server.output(), /tsx/)
    signalGroup(server.child, 'SIGTERM')
    assert.equal(await exitOf(server.child), 0)
  })

  test('npm run dev regenerates and restarts the worker server on every edit, new wiring files included', async () => {
    const server = await startServer('npm', ['run', 'dev'])
    const readyCount = () => server.output().match(/Worker server ready/g)?.length ?? 0
    const waitForReady = async (count: number) => {
      const deadline = Date.now() + 30_000
      while (readyCount() < count) {
        assert.ok(Date.now() < deadline, `no restart within 30 s:\n${server.output()}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
    const functions = join(app, 'src', 'queue-worker.functions.ts')
    writeFileSync(functions, readFileSync(functions, 'utf8').replace('`Hello, ${message}!`', '`Howdy, ${message}!`'))
    await waitForReady(2)
    const hello = queue('hello-world-queue')
    const edited = await hello.add('dev', { message: 'dev', fail: false })
    assert.equal(await waitForState(hello, edited.id!, ['completed', 'failed']), 'completed')
    assert.deepEqual((await hello.getJob(edited.id!))!.returnvalue, { result: 'Howdy, dev!' })

    writeFileSync(join(app, 'src', 'ping.routes.ts'), [
      "import { pikkuSessionlessFunc, wireQueueWorker } from '../.pikku/pikku-types.gen.js'",
      "wireQueueWorker({ name: 'ping', func: pikkuSessionlessFunc<{ n: number }, { pong: number }>(async (_s, { n }) => ({ pong: n })) })",
      '',
    ].join('\n'))
    await waitForReady(3)
    assert.match(server.output(), /processing queues: [^\n]*ping/)
    const ping = queue('ping')
    const job = await ping.add('ping', { n: 7 })
    assert.equal(await waitForState(ping, job.id!, ['completed', 'failed']), 'completed')
    assert.deepEqual((await ping.getJob(job.id!))!.returnvalue, { pong: 7 })

    signalGroup(server.child, 'SIGTERM')
    await exitOf(server.child)
    await noWorkerLeft(ping)
  })
})

/** Every file below dir, by relative path, with its content. */
function readTree(dir: string): Record<string, string> {
  const tree: Record<string, string> = {}
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name)
      tree[path.slice(dir.length + 1)] = readFileSync(path, 'utf8')
    }
  }
  return tree
}
