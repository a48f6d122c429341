import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes, type Span, type SpanContext, type Tracer } from '@opentelemetry/api'
import { UnrecoverableError, type Job, type Telemetry } from 'bullmq'
import { pikkuState } from '@pikku/core/ecosystem'
import { TRACER_NAME, TRACER_VERSION } from './bullmq-telemetry.js'

/** How an attempt ended, as the `pikku.job.outcome` attribute of its span. */
export type AttemptOutcome = 'completed' | 'will_retry' | 'failed' | 'non_retryable' | 'rate_limited' | 'timed_out' | 'discarded' | 'skipped'

/** Outcomes that are not failures: the attempt span keeps an unset status. */
const SUCCESSFUL: ReadonlySet<AttemptOutcome> = new Set(['completed', 'rate_limited', 'discarded', 'skipped'])

/** Where a job scheduler's template keeps the span that created or changed the schedule, for each tick to link to. */
export const SCHEDULE_SPAN = 'pikkuScheduleSpan'

interface StoredSpanContext {
  traceId: string
  spanId: string
  traceFlags: number
}

/**
 * Pikku's spans around what BullMQ traces (through `bullmq-otel`), made only when tracing is on:
 *
 * - each attempt's `process <queue>` span (BullMQ's) gets the function id, the attempt number, the
 *   standard messaging attributes and the outcome, and an error status when the attempt failed;
 * - `run <function>` spans the Pikku runner (middleware, session, validation, permissions, wire
 *   services), and `function <function>` the function body inside it: the time between them is
 *   the middleware's;
 * - schedules get a `schedule <name>` span when they are created or changed, and each tick, in a
 *   trace of its own, links to it;
 * - `wait <queue>` spans a caller waiting for a result, linked to the job's trace.
 */
export class JobTracer {
  private readonly tracer: Tracer = trace.getTracer(TRACER_NAME, TRACER_VERSION)
  private readonly tracedFunctions = new Set<string>()

  constructor(private readonly telemetry: Telemetry) {}

  /**
   * Annotates the active span, BullMQ's `process` span of this attempt, and returns it. A tick of a
   * schedule or repeatable job links to the span that set the schedule up.
   */
  startAttempt(job: Job, attributes: Attributes): Span | undefined {
    const span = trace.getActiveSpan()
    if (!span) return undefined
    span.setAttributes({
      'messaging.system': 'bullmq',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': job.queueName,
      'messaging.message.id': job.id,
      'pikku.job.attempt': job.attemptsMade + 1,
      ...attributes,
    })
    const schedule = (job.opts as Record<string, unknown>)[SCHEDULE_SPAN]
    if (isStoredSpanContext(schedule)) span.addLink({ context: { ...schedule, isRemote: true }, attributes: { 'pikku.link': 'schedule' } })
    return span
  }

  /** Records how the attempt ended; a failure also sets the span's error status. */
  endAttempt(span: Span | undefined, outcome: AttemptOutcome, error?: unknown): void {
    if (!span) return
    span.setAttribute('pikku.job.outcome', outcome)
    if (!SUCCESSFUL.has(outcome)) span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) })
  }

  /**
   * Records a failed attempt as BullMQ will treat the error thrown to it (`failure`): retried if it
   * is retryable and the job has attempts left. A timeout is reported as such, retried or not.
   */
  endFailedAttempt(span: Span | undefined, job: Job, failure: unknown, { timedOut = false } = {}): void {
    if (!span) return
    const retryable = !(failure instanceof UnrecoverableError)
    const willRetry = retryable && job.attemptsMade + 1 < (job.opts.attempts ?? 1)
    span.setAttribute('pikku.job.will_retry', willRetry)
    this.endAttempt(span, !retryable ? 'non_retryable' : timedOut ? 'timed_out' : willRetry ? 'will_retry' : 'failed', failure)
  }

  /**
   * Runs the Pikku runner for `funcId` in a `run` span; `isFailure` tells which thrown values are
   * failures (a discard or a rate limit is thrown, yet ends the span without an error).
   */
  run<T>(funcId: string, attributes: Attributes, runner: () => Promise<T>, isFailure: (error: unknown) => boolean): Promise<T> {
    this.traceFunctionBody(funcId)
    return this.tracer.startActiveSpan(`run ${funcId}`, { kind: SpanKind.INTERNAL, attributes: { 'pikku.function.id': funcId, ...attributes } }, (span) =>
      settle(span, runner, isFailure),
    )
  }

  /**
   * A `schedule <name>` span around creating or changing a schedule; `setUp` gets the template
   * fields that make each tick start a trace of its own linked to this span.
   */
  schedule<T>(name: string, attributes: Attributes, setUp: (templateFields: Record<string, unknown>) => Promise<T>): Promise<T> {
    return this.tracer.startActiveSpan(`schedule ${name}`, { kind: SpanKind.INTERNAL, attributes }, (span) => {
      const { traceId, spanId, traceFlags } = span.spanContext()
      const stored: StoredSpanContext = { traceId, spanId, traceFlags }
      return settle(span, () => setUp({ [SCHEDULE_SPAN]: stored }), () => true)
    })
  }

  /** A `wait <queue>` span around waiting for a job's result, linked to the trace the job was added in. */
  wait<T>(job: Job, waiting: () => Promise<T>): Promise<T> {
    const added = this.addedIn(job)
    return this.tracer.startActiveSpan(
      `wait ${job.queueName}`,
      { kind: SpanKind.CLIENT, attributes: { 'messaging.system': 'bullmq', 'messaging.destination.name': job.queueName, 'messaging.message.id': job.id }, links: added ? [{ context: added, attributes: { 'pikku.link': 'job' } }] : [] },
      (span) => settle(span, waiting, () => true),
    )
  }

  /** The context BullMQ stored in the job when it was added, if any. */
  private addedIn(job: Job): SpanContext | undefined {
    const metadata = job.opts.telemetry?.metadata
    if (!metadata) return undefined
    return trace.getSpanContext(this.telemetry.contextManager.fromMetadata(ROOT_CONTEXT, metadata))
  }

  /**
   * Gives a function's body its own span by wrapping its registered config once (core looks the
   * config up on every call, so every later run of it is traced).
   */
  private traceFunctionBody(funcId: string): void {
    if (this.tracedFunctions.has(funcId)) return
    this.tracedFunctions.add(funcId)
    const functions = pikkuState(null, 'function', 'functions')
    const config = functions.get(funcId)
    if (!config) return
    const { func } = config
    const tracer = this.tracer
    functions.set(funcId, {
      ...config,
      func: (services: unknown, data: unknown, wire: unknown) =>
        tracer.startActiveSpan(`function ${funcId}`, { kind: SpanKind.INTERNAL, attributes: { 'pikku.function.id': funcId } }, (span) =>
          settle(span, () => (func as (...args: unknown[]) => Promise<unknown>)(services, data, wire), () => true),
        ),
    } as typeof config)
  }
}

/** Ends the span once `work` settles; a thrown value `isFailure` accepts is recorded with an error status. */
async function settle<T>(span: Span, work: () => Promise<T>, isFailure: (error: unknown) => boolean): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (isFailure(error)) {
      if (error instanceof Error) span.recordException(error)
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) })
    }
    throw error
  } finally {
    span.end()
  }
}

function errorMessage(error: unknown): string | undefined {
  if (error === undefined) return undefined
  return error instanceof Error ? error.message : String(error)
}

function isStoredSpanContext(value: unknown): value is StoredSpanContext {
  if (typeof value !== 'object' || value === null) return false
  const { traceId, spanId, traceFlags } = value as Partial<StoredSpanContext>
  return typeof traceId === 'string' && typeof spanId === 'string' && (traceFlags === TraceFlags.NONE || traceFlags === TraceFlags.SAMPLED)
}
