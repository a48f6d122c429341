import { createRequire } from 'node:module'
import path from 'node:path'
import { isSpanContextValid, trace } from '@opentelemetry/api'
import { pino, stdSerializers, type Level, type Logger as Pino, type LoggerOptions } from 'pino'
import { LogLevel, type Logger } from '@pikku/core/services'
import { logExcerpt } from './log-excerpt.js'
import { RateLimitedLines } from './rate-limited-lines.js'

export interface PinoLoggerOptions {
  /** Lowest level written. Default: process.env.LOG_LEVEL ?? 'info'. */
  level?: Level
  /**
   * Human-readable lines through pino-pretty (loaded in a worker thread) instead of JSON lines.
   * Default: LOG_FORMAT=pretty or LOG_FORMAT=json when set; otherwise pretty only on a terminal and
   * only when pino-pretty is installed (a project's devDependency), so production stays JSON.
   */
  pretty?: boolean
  /** Extra pino options (redaction, base fields, destination…), merged last. */
  pino?: LoggerOptions
  /** An existing pino logger to write through instead; the options above are then ignored. */
  instance?: Pino
}

const LEVELS: Record<LogLevel, Level> = {
  [LogLevel.trace]: 'trace',
  [LogLevel.debug]: 'debug',
  [LogLevel.info]: 'info',
  [LogLevel.warn]: 'warn',
  [LogLevel.error]: 'error',
  [LogLevel.critical]: 'fatal',
}

/**
 * Pikku's {@link Logger} on pino: structured JSON lines, cheap when a level is off.
 *
 * A line written inside a traced job carries the OpenTelemetry `trace_id` and `span_id`.
 *
 * Per-job lines ("Processing job …") are written at debug, and so are core's own runner lines
 * (scheduled ticks, and jobs that claim a user, which core runs), which come through
 * `logger.scope(traceId)`: pikku-bullmq already writes one line per failed attempt with the queue,
 * job id and attempt. At the default level a healthy worker logs nothing per job. Run with
 * `LOG_LEVEL=debug` to see every job. Core's lines about job identities stay at WARN (see
 * writeSecurityLine).
 */
export class PinoLogger implements Logger {
  readonly pino: Pino
  /** Set on scoped loggers: core's runner lines, written at debug. */
  private runnerLines = false
  private traceId: string | undefined

  constructor(options: PinoLoggerOptions = {}) {
    this.pino =
      options.instance ??
      pino({
        level: options.level ?? ((process.env.LOG_LEVEL as Level | undefined) || 'info'),
        ...((options.pretty ?? prettyByDefault()) ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
        ...options.pino,
      })
  }

  info(messageOrObj: unknown, ...meta: unknown[]): void {
    this.write(this.runnerLines ? 'debug' : 'info', messageOrObj, meta)
  }

  warn(messageOrObj: unknown, ...meta: unknown[]): void {
    if (this.runnerLines && this.writeSecurityLine(messageOrObj, meta)) return
    this.write(this.runnerLines ? 'debug' : 'warn', messageOrObj, meta)
  }

  error(messageOrObj: unknown, ...meta: unknown[]): void {
    if (this.runnerLines && this.writeSecurityLine(messageOrObj, meta)) return
    this.write(this.runnerLines ? 'debug' : 'error', messageOrObj, meta)
  }

  debug(message: string, ...meta: unknown[]): void {
    this.write('debug', message, meta)
  }

  trace(message: string, ...meta: unknown[]): void {
    this.write('trace', message, meta)
  }

  /** Whether a line at `level` would be written: lets a caller skip building a per-job line. */
  isLevelEnabled(level: Level): boolean {
    return this.pino.isLevelEnabled(level)
  }

  setLevel(level: LogLevel): void {
    this.pino.level = LEVELS[level]
  }

  /** Core's runner lines for one job or request, tagged with its trace id and written at debug. */
  scope(traceId: string): Logger {
    const scoped = new PinoLogger({ instance: this.pino })
    scoped.runnerLines = true
    scoped.traceId = traceId
    return scoped
  }

  /**
   * Core's lines about job identities (a rejected or unverifiable `pikkuUserId` claim, a missing
   * PIKKU_QUEUE_IDENTITY_SECRET) are not per-job noise but a forged or misconfigured producer: they
   * stay at WARN among the runner lines, at most one per queue a minute.
   */
  private writeSecurityLine(messageOrObj: unknown, meta: unknown[]): boolean {
    if (typeof messageOrObj !== 'string' || !IDENTITY_LINE.test(messageOrObj)) return false
    const key = / in queue (\S+)/.exec(messageOrObj)?.[1] ?? messageOrObj
    const line = identityLines.pass(key, messageOrObj)
    if (line !== undefined) this.write('warn', line, meta)
    return true
  }

  private write(level: Level, messageOrObj: unknown, meta: unknown[]): void {
    // Checked first so that a disabled level costs no object building at all.
    if (!this.pino.isLevelEnabled(level)) return
    const fields: Record<string, unknown> = this.traceId ? { traceId: this.traceId } : {}
    // Inside a traced job (BullMQ's process span is active), the line names the trace it belongs to.
    const span = trace.getActiveSpan()?.spanContext()
    if (span && isSpanContextValid(span)) {
      fields.trace_id = span.traceId
      fields.span_id = span.spanId
    }
    let message: string | undefined
    if (typeof messageOrObj === 'string') message = messageOrObj
    else if (messageOrObj instanceof Error) fields.err = serializeBoundedError(messageOrObj)
    else Object.assign(fields, messageOrObj)
    for (const value of meta) {
      if (value instanceof Error && fields.err === undefined) fields.err = serializeBoundedError(value)
      else ((fields.details ??= []) as unknown[]).push(value)
    }
    this.pino[level](fields, message)
  }
}

/** Core's queue-identity lines (queue-identity.ts in @pikku/core 0.12.84). */
const IDENTITY_LINE = /identity claim|PIKKU_QUEUE_IDENTITY_SECRET/
const identityLines = new RateLimitedLines(60_000)

function prettyByDefault(): boolean {
  const format = process.env.LOG_FORMAT
  if (format) return format === 'pretty'
  if (!process.stdout.isTTY) return false
  try {
    // Resolved from the project, where pino looks for transport targets too.
    createRequire(path.join(process.cwd(), 'package.json')).resolve('pino-pretty')
    return true
  } catch {
    return false
  }
}

/** pino's error serializer, with the message and stack cut to an excerpt: a failed job's reason can be megabytes. */
function serializeBoundedError(error: Error): ReturnType<typeof stdSerializers.err> {
  const serialized = stdSerializers.err(error)
  serialized.message = logExcerpt(serialized.message)
  if (serialized.stack) serialized.stack = logExcerpt(serialized.stack, 4000)
  return serialized
}
