// OpenTelemetry on real BullMQ and Redis, with an in-memory exporter. Off (no context in jobs) until
// the app registers a tracer provider; then the exact span tree of each kind of attempt: completed
// (with middleware time between `run` and `function`), retried then completed, refused by a
// permission or by input validation, failed for good, timed out, a job added inside a job, a waiter,
// a scheduler tick and a repeatable job (each in a trace of its own, linked to its schedule), log
// lines naming the span, and trace exemplars on /metrics.
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { after, before, beforeEach, describe, test } from 'node:test'
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { UnprocessableContentError } from '@pikku/core/errors'
import { wireQueueWorker } from '@pikku/core/queue'
import { pino } from 'pino'
import { BullServiceFactory, PinoLogger, startMonitoringServer } from '../src/index.js'
import { VALIDATE_INPUT } from '../src/workers/input-validation.js'
import { filePrefixes, MemoryLogger, REDIS_URL, setupPikku, sleep, waitFor, type TestQueueFunc } from './helpers.js'
import { setupSchedules } from './schedule-wiring.js'

const prefixes = filePrefixes()
after(() => prefixes.deleteAll())

test('with no tracer provider registered, jobs carry no trace context', async () => {
  setupPikku({ untraced: { func: async () => 'done' } })
  const factory = new BullServiceFactory({ redisUrl: REDIS_URL, prefix: prefixes.next('untraced') })
  try {
    const id = await factory.getQueueService().add('untraced', {})
    const job = await factory.getQueueService().getQueue('untraced').getJob(id)
    assert.equal(job?.opts.telemetry, undefined)
  } finally {
    await factory.close()
  }
})

describe('once a tracer provider is registered', () => {
  const exporter = new InMemorySpanExporter()
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  before(() => {
    // What an SDK's start() or register() sets up: BullMQ carries the context in the job through the propagator.
    trace.setGlobalTracerProvider(provider)
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
    propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  })
  after(async () => {
    await provider.shutdown()
    trace.disable()
    context.disable()
    propagation.disable()
  })
  beforeEach(() => exporter.reset())

  /** Runs `fn` with a factory whose workers run the queues set up with setupPikku. */
  async function withTracedWorkers<T>(label: string, fn: (factory: BullServiceFactory) => Promise<T>, logger?: PinoLogger): Promise<T> {
    const factory = new BullServiceFactory({ redisUrl: REDIS_URL, prefix: prefixes.next(label), logger })
    try {
      await factory.getQueueWorkers().registerQueues()
      return await fn(factory)
    } finally {
      await factory.close()
    }
  }

  /** Adds a job, waits until `spanCount` spans of its trace have ended, and returns its trace as a tree. */
  async function traceOfJob(factory: BullServiceFactory, queue: string, data: unknown, options: Record<string, unknown>, spanCount: number) {
    const id = await factory.getQueueService().add(queue, data as never, options)
    const add = await waitFor(() => exporter.getFinishedSpans().find((span) => span.name === `add ${queue}.${queue}` && span.attributes['bullmq.job.id'] === id), `the add span of job ${id}`)
    const traceId = add.spanContext().traceId
    const spans = await waitFor(() => {
      const inTrace = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId)
      return inTrace.length >= spanCount ? inTrace : undefined
    }, `${spanCount} spans in the trace of job ${id}`)
    return { id, add, spans, tree: describeTree(spans) }
  }

  test('a completed job: add → process → run (middleware) → function, with the attempt’s attributes', async () => {
    wireWithMiddleware('traced-done', async () => 'done')
    await withTracedWorkers('traced-done', async (factory) => {
      const { id, add, spans, tree } = await traceOfJob(factory, 'traced-done', { n: 1 }, {}, 5)
      assert.deepEqual(tree, [
        'add traced-done.traced-done (producer)',
        '  process traced-done (consumer) [completed]',
        '    run traced-doneFunc',
        '      function traced-doneFunc',
        '    complete traced-done',
      ])
      const process = only(spans, 'process traced-done')
      assert.equal(process.parentSpanContext?.spanId, add.spanContext().spanId)
      assert.deepEqual(pick(process.attributes, /^(messaging|pikku)\./), {
        'messaging.system': 'bullmq',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': 'traced-done',
        'messaging.message.id': id,
        'pikku.function.id': 'traced-doneFunc',
        'pikku.job.attempt': 1,
        'pikku.job.outcome': 'completed',
      })
      assert.equal(process.status.code, SpanStatusCode.UNSET)
      const run = only(spans, 'run traced-doneFunc')
      assert.deepEqual(run.attributes, { 'pikku.function.id': 'traced-doneFunc', 'pikku.wire.type': 'queue', 'pikku.wire.id': 'traced-done' })
      // The middleware sleeps 40 ms before the function and 40 ms after it: both gaps show.
      const fn = only(spans, 'function traced-doneFunc')
      assert.ok(millisBetween(run.startTime, fn.startTime) >= 35, `the function started ${millisBetween(run.startTime, fn.startTime)} ms into the run`)
      assert.ok(millisBetween(fn.endTime, run.endTime) >= 35, `the run ended ${millisBetween(fn.endTime, run.endTime)} ms after the function`)
    })
  })

  test('a job that fails once and is retried: two attempts under one add, the first with an error status', async () => {
    let runs = 0
    setupPikku({
      'traced-retry': {
        func: async () => {
          if (++runs === 1) throw new Error('upstream unavailable')
          return 'done'
        },
      },
    })
    await withTracedWorkers('traced-retry', async (factory) => {
      const { spans, tree } = await traceOfJob(factory, 'traced-retry', {}, { attempts: 3, backoff: { type: 'fixed', delay: 20 } }, 9)
      assert.deepEqual(tree, [
        'add traced-retry.traced-retry (producer)',
        '  process traced-retry (consumer) [will_retry] error: upstream unavailable',
        '    run traced-retryFunc error: upstream unavailable',
        '      function traced-retryFunc error: upstream unavailable',
        '    delay traced-retry',
        '  process traced-retry (consumer) [completed]',
        '    run traced-retryFunc',
        '      function traced-retryFunc',
        '    complete traced-retry',
      ])
      const attempts = spans.filter((span) => span.name === 'process traced-retry').sort(byStart)
      assert.deepEqual(attempts.map((span) => [span.attributes['pikku.job.attempt'], span.attributes['pikku.job.will_retry']]), [[1, true], [2, undefined]])
      const failedRun = spans.filter((span) => span.name === 'run traced-retryFunc').sort(byStart)[0]!
      assert.equal(failedRun.events.find((event) => event.name === 'exception')?.attributes?.['exception.message'], 'upstream unavailable')
    })
  })

  test('a job refused by a permission or by input validation ends as non-retryable, with no function span', async () => {
    const refusedFuncs: Record<string, { func: TestQueueFunc; permissions?: unknown; [VALIDATE_INPUT]?: unknown }> = {
      'traced-forbidden': { func: async () => 'never', permissions: { owner: async () => false } },
      'traced-invalid': {
        func: async () => 'never',
        [VALIDATE_INPUT]: async () => {
          throw new UnprocessableContentError('Invalid input: email is required')
        },
      },
    }
    setupPikku({ 'traced-forbidden': { func: async () => 'never' }, 'traced-invalid': { func: async () => 'never' } })
    for (const [name, func] of Object.entries(refusedFuncs)) wireQueueWorker({ name, func: func as never })
    await withTracedWorkers('traced-refused', async (factory) => {
      const forbidden = await traceOfJob(factory, 'traced-forbidden', {}, { attempts: 3 }, 4)
      assert.equal(forbidden.tree[1], '  process traced-forbidden (consumer) [non_retryable] error: Permission denied')
      assert.deepEqual(forbidden.tree, [
        'add traced-forbidden.traced-forbidden (producer)',
        forbidden.tree[1],
        '    run traced-forbiddenFunc error: Permission denied',
        '    fail traced-forbidden',
      ])
      const invalid = await traceOfJob(factory, 'traced-invalid', {}, { attempts: 3 }, 4)
      assert.deepEqual(invalid.tree, [
        'add traced-invalid.traced-invalid (producer)',
        '  process traced-invalid (consumer) [non_retryable] error: Invalid input: email is required',
        '    run traced-invalidFunc error: Invalid input: email is required',
        '    fail traced-invalid',
      ])
      assert.equal(only(invalid.spans, 'process traced-invalid').attributes['pikku.job.will_retry'], false)
    })
  })

  test('a job that uses its last attempt fails for good; one that outlives its timeout is timed out', async () => {
    setupPikku({
      'traced-broken': {
        func: async () => {
          throw new Error('disk full')
        },
      },
      'traced-slow': {
        func: (_services, _data, wire) =>
          new Promise((_, reject) => wire.queue!.signal!.addEventListener('abort', () => reject(new Error('stopped: the job timed out')))),
      },
    })
    await withTracedWorkers('traced-failing', async (factory) => {
      const broken = await traceOfJob(factory, 'traced-broken', {}, {}, 5)
      assert.deepEqual(broken.tree, [
        'add traced-broken.traced-broken (producer)',
        '  process traced-broken (consumer) [failed] error: disk full',
        '    run traced-brokenFunc error: disk full',
        '      function traced-brokenFunc error: disk full',
        '    fail traced-broken',
      ])
      const slow = await traceOfJob(factory, 'traced-slow', {}, { timeout: 100 }, 5)
      assert.deepEqual(slow.tree, [
        'add traced-slow.traced-slow (producer)',
        `  process traced-slow (consumer) [timed_out] error: Job ${slow.id} in queue 'traced-slow' timed out after 100 ms`,
        '    run traced-slowFunc error: stopped: the job timed out',
        '      function traced-slowFunc error: stopped: the job timed out',
        '    fail traced-slow',
      ])
      assert.equal(only(slow.spans, 'process traced-slow').attributes['pikku.job.will_retry'], false)
    })
  })

  test('a job added inside a job joins its trace, and log lines name the span they were written in', async () => {
    const lines: Array<Record<string, unknown>> = []
    const logger = new PinoLogger({
      instance: pino(
        new Writable({
          write(chunk, _encoding, done) {
            lines.push(JSON.parse(String(chunk)) as Record<string, unknown>)
            done()
          },
        }),
      ),
    })
    let factory: BullServiceFactory | undefined
    setupPikku({
      'traced-parent': {
        func: async () => {
          logger.info('parent job running')
          await factory!.getQueueService().add('traced-child', { from: 'parent' })
          return 'parent done'
        },
      },
      'traced-child': { func: async () => 'child done' },
    })
    await withTracedWorkers(
      'traced-nested',
      async (started) => {
        factory = started
        const { add, spans, tree } = await traceOfJob(started, 'traced-parent', {}, {}, 10)
        assert.deepEqual(tree, [
          'add traced-parent.traced-parent (producer)',
          '  process traced-parent (consumer) [completed]',
          '    run traced-parentFunc',
          '      function traced-parentFunc',
          '        add traced-child.traced-child (producer)',
          '          process traced-child (consumer) [completed]',
          '            run traced-childFunc',
          '              function traced-childFunc',
          '            complete traced-child',
          '    complete traced-parent',
        ])
        const fn = only(spans, 'function traced-parentFunc')
        const line = lines.find((entry) => entry.msg === 'parent job running')
        assert.deepEqual({ trace_id: line?.trace_id, span_id: line?.span_id }, { trace_id: add.spanContext().traceId, span_id: fn.spanContext().spanId })
      },
      logger,
    )
  })

  test('addBulk: every job it adds is an attempt under its one addBulk span', async () => {
    setupPikku({ 'traced-bulk': { func: async () => 'done' } })
    await withTracedWorkers('traced-bulk', async (factory) => {
      const ids = await factory.getQueueService().addBulk('traced-bulk', [{ data: { n: 1 } }, { data: { n: 2 } }])
      const bulk = await waitFor(() => exporter.getFinishedSpans().find((span) => span.name === 'addBulk traced-bulk'), 'the addBulk span')
      const spans = await waitFor(() => {
        const inTrace = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === bulk.spanContext().traceId)
        return inTrace.length >= 9 ? inTrace : undefined
      }, 'both jobs’ spans')
      const attempts = spans.filter((span) => span.name === 'process traced-bulk')
      assert.deepEqual(attempts.map((span) => span.attributes['messaging.message.id']).sort(), [...ids].sort())
      assert.ok(attempts.every((span) => span.parentSpanContext?.spanId === bulk.spanContext().spanId))
    })
  })

  test('a caller waiting for a result gets a wait span linked to the job’s trace', async () => {
    setupPikku({ 'traced-awaited': { func: async () => ({ total: 3 }) } })
    await withTracedWorkers('traced-wait', async (factory) => {
      const queue = factory.getQueueService()
      const id = await queue.add('traced-awaited', {})
      const job = await queue.getJob('traced-awaited', id)
      assert.deepEqual(await job!.waitForCompletion!(5_000), { total: 3 })
      const wait = await waitFor(() => exporter.getFinishedSpans().find((span) => span.name === 'wait traced-awaited'), 'the wait span')
      const add = only(exporter.getFinishedSpans(), 'add traced-awaited.traced-awaited')
      assert.equal(wait.kind, SpanKind.CLIENT)
      assert.deepEqual(
        wait.links.map((link) => [link.context.traceId, link.context.spanId, link.attributes]),
        [[add.spanContext().traceId, add.spanContext().spanId, { 'pikku.link': 'job' }]],
      )
      assert.equal(wait.attributes['messaging.message.id'], id)
    })
  })

  test('each scheduler tick starts a trace of its own, linked to the span that created the schedule', async () => {
    let ticks = 0
    setupSchedules([{ name: 'traced-tick', every: 400, func: async () => void ticks++ }])
    const factory = new BullServiceFactory({ redisUrl: REDIS_URL, prefix: prefixes.next('traced-tick') })
    try {
      await factory.getSchedulerService().start()
      await waitFor(() => ticks >= 2, 'two ticks')
      const schedule = only(exporter.getFinishedSpans(), 'schedule traced-tick')
      assert.deepEqual(schedule.attributes, { 'pikku.schedule.name': 'traced-tick', 'pikku.schedule': 'every 400 ms' })
      const roots = await waitFor(() => {
        const found = exporter.getFinishedSpans().filter((span) => span.name === 'process pikku-schedules')
        return found.length >= 2 ? found.sort(byStart) : undefined
      }, 'two ticks’ process spans')
      const traceIds = new Set([schedule.spanContext().traceId, ...roots.map((span) => span.spanContext().traceId)])
      assert.equal(traceIds.size, 3, 'the schedule and each tick are separate traces')
      for (const root of roots) {
        assert.equal(root.parentSpanContext, undefined)
        assert.deepEqual(root.links.map((link) => [link.context.spanId, link.attributes]), [[schedule.spanContext().spanId, { 'pikku.link': 'schedule' }]])
        assert.equal(root.attributes['pikku.schedule.name'], 'traced-tick')
        const tickTrace = await waitFor(() => {
          const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === root.spanContext().traceId)
          return spans.length >= 4 ? spans : undefined
        }, 'the tick’s spans')
        assert.deepEqual(describeTree(tickTrace), [
          'process pikku-schedules (consumer) [completed]',
          '  run traced-tickFunc',
          '    function traced-tickFunc',
          '  complete pikku-schedules',
        ])
      }
    } finally {
      await factory.close()
    }
  })

  test('each job a repeatable job adds starts a trace of its own, linked to the span that set it up', async () => {
    setupPikku({ 'traced-repeat': { func: async () => 'done' } })
    await withTracedWorkers('traced-repeat', async (factory) => {
      await factory.getQueueService().addRepeatable('traced-repeat', 'nightly', { every: 300 }, {})
      const schedule = only(exporter.getFinishedSpans(), 'schedule traced-repeat:nightly')
      const attempts = await waitFor(() => {
        const found = exporter.getFinishedSpans().filter((span) => span.name === 'process traced-repeat')
        return found.length >= 2 ? found : undefined
      }, 'two repeats')
      assert.equal(new Set([schedule, ...attempts].map((span) => span.spanContext().traceId)).size, 3)
      for (const attempt of attempts) {
        assert.equal(attempt.parentSpanContext, undefined)
        assert.deepEqual(attempt.links.map((link) => link.context.spanId), [schedule.spanContext().spanId])
      }
    })
  })

  test('/metrics serves OpenMetrics with the trace of an attempt as an exemplar of its duration bucket', async () => {
    setupPikku({ 'traced-metrics': { func: async () => 'done' } })
    const prefix = prefixes.next('traced-metrics')
    const factory = new BullServiceFactory({ redisUrl: REDIS_URL, prefix })
    await factory.getQueueWorkers().registerQueues()
    const server = await startMonitoringServer({ queueNames: ['traced-metrics'], queueWorkers: factory.getQueueWorkers(), redisUrl: REDIS_URL, prefix, host: '127.0.0.1', port: 0, metricsCacheMs: 0, dashboard: { enabled: false }, logger: new MemoryLogger() })
    try {
      const id = await factory.getQueueService().add('traced-metrics', {})
      const process = await waitFor(() => exporter.getFinishedSpans().find((span) => span.name === 'process traced-metrics' && span.attributes['bullmq.job.id'] === id), 'the attempt')
      const response = await fetch(`${server.url}/metrics`)
      assert.match(response.headers.get('content-type') ?? '', /^application\/openmetrics-text/)
      const text = await response.text()
      const { traceId, spanId } = process.spanContext()
      assert.match(text, new RegExp(`^pikku_queue_job_duration_seconds_bucket\\{le="[^"]+",queue="traced-metrics",status="completed"\\} 1 # \\{trace_id="${traceId}",span_id="${spanId}"\\} [0-9.e-]+ [0-9.]+$`, 'm'))
      assert.match(text, /^pikku_queue_jobs_completed_total\{queue="traced-metrics"\} 1$/m)
      assert.ok(text.endsWith('# EOF\n'))
      assert.equal(text.match(/# EOF/g)?.length, 1)
    } finally {
      await server.close()
      await factory.close()
    }
  })
})

/** Wires a queue whose middleware takes 40 ms before and after the function. */
function wireWithMiddleware(name: string, func: TestQueueFunc): void {
  setupPikku({ [name]: { func } })
  wireQueueWorker({
    name,
    func: { func: func as never },
    middleware: [
      async (_services: unknown, _wire: unknown, next: () => Promise<void>) => {
        await sleep(40)
        await next()
        await sleep(40)
      },
    ] as never,
  })
}

/** One line per span, indented under its parent and in start order: name, kind, outcome and error. */
function describeTree(spans: ReadableSpan[]): string[] {
  const ids = new Set(spans.map((span) => span.spanContext().spanId))
  const lines: string[] = []
  const visit = (parentId: string | undefined, depth: number): void => {
    const children = spans.filter((span) => (ids.has(span.parentSpanContext?.spanId ?? '') ? span.parentSpanContext!.spanId : undefined) === parentId)
    for (const span of children.sort(byStart)) {
      const kind = span.kind === SpanKind.PRODUCER ? ' (producer)' : span.kind === SpanKind.CONSUMER ? ' (consumer)' : ''
      const outcome = span.attributes['pikku.job.outcome'] === undefined ? '' : ` [${String(span.attributes['pikku.job.outcome'])}]`
      const error = span.status.code === SpanStatusCode.ERROR ? ` error: ${span.status.message}` : ''
      lines.push(`${'  '.repeat(depth)}${span.name}${kind}${outcome}${error}`)
      visit(span.spanContext().spanId, depth + 1)
    }
  }
  visit(undefined, 0)
  return lines
}

function only(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((span) => span.name === name)
  assert.equal(found.length, 1, `one '${name}' span among ${spans.map((span) => span.name).join(', ')}`)
  return found[0]!
}

function byStart(a: ReadableSpan, b: ReadableSpan): number {
  return a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]
}

function millisBetween(from: [number, number], to: [number, number]): number {
  return (to[0] - from[0]) * 1000 + (to[1] - from[1]) / 1e6
}

function pick(attributes: Record<string, unknown>, pattern: RegExp): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).filter(([key]) => pattern.test(key)))
}
