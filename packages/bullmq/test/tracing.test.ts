// OpenTelemetry on real BullMQ and Redis, with an in-memory exporter: off (no context in jobs) until
// the app registers a tracer provider; then one trace runs from the producer's add through the job's
// process span, a job added inside it and that job's process span, and PinoLogger lines written
// inside a job carry its trace_id and span_id.
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { after, test } from 'node:test'
import { context, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { pino } from 'pino'
import { BullServiceFactory, PinoLogger } from '../src/index.js'
import { filePrefixes, REDIS_URL, setupPikku, waitFor } from './helpers.js'

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

test('once a tracer provider is registered: add → process → add inside the job → process is one trace, and log lines name it', async (t) => {
  const exporter = new InMemorySpanExporter()
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  const contextManager = new AsyncLocalStorageContextManager().enable()
  // What an SDK's start() or register() sets up: BullMQ carries the context in the job through the propagator.
  trace.setGlobalTracerProvider(provider)
  context.setGlobalContextManager(contextManager)
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  t.after(async () => {
    await provider.shutdown()
    trace.disable()
    context.disable()
    propagation.disable()
  })

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
  const childDone: string[] = []
  setupPikku({
    'traced-parent': {
      func: async () => {
        logger.info('parent job running')
        await factory!.getQueueService().add('traced-child', { from: 'parent' })
        return 'parent done'
      },
    },
    'traced-child': {
      func: async () => {
        childDone.push('child')
        return 'child done'
      },
    },
  })
  factory = new BullServiceFactory({ redisUrl: REDIS_URL, prefix: prefixes.next('traced'), logger })
  try {
    await factory.getQueueWorkers().registerQueues()
    await factory.getQueueService().add('traced-parent', {})
    await waitFor(() => childDone.length === 1, 'the child job')
    const spans = await waitFor(() => {
      const finished = exporter.getFinishedSpans()
      return finished.some((span) => span.name === 'process traced-child') ? finished : undefined
    }, 'the child job’s process span')

    const named = (name: string): ReadableSpan => {
      const found = spans.filter((span) => span.name === name)
      assert.equal(found.length, 1, `one '${name}' span among ${spans.map((span) => span.name).join(', ')}`)
      return found[0]!
    }
    const addParent = named('add traced-parent.traced-parent')
    const processParent = named('process traced-parent')
    const addChild = named('add traced-child.traced-child')
    const processChild = named('process traced-child')
    const traceId = addParent.spanContext().traceId
    for (const span of [processParent, addChild, processChild]) assert.equal(span.spanContext().traceId, traceId, `${span.name} is in the producer's trace`)
    assert.equal(processParent.parentSpanContext?.spanId, addParent.spanContext().spanId, 'the attempt is a child of the add')
    assert.equal(addChild.parentSpanContext?.spanId, processParent.spanContext().spanId, 'the add inside the job is a child of its attempt')
    assert.equal(processChild.parentSpanContext?.spanId, addChild.spanContext().spanId)
    assert.equal(processParent.attributes['bullmq.queue.name'], 'traced-parent')

    const line = lines.find((entry) => entry.msg === 'parent job running')
    assert.deepEqual({ trace_id: line?.trace_id, span_id: line?.span_id }, { trace_id: traceId, span_id: processParent.spanContext().spanId })
    const outside = lines.filter((entry) => entry.msg !== 'parent job running')
    assert.ok(outside.every((entry) => entry.trace_id === undefined || entry.trace_id === traceId), 'no line names another trace')
  } finally {
    await factory.close()
  }
})
