import { createColors } from 'picocolors'
import type { WorkflowRun, WorkflowStatus } from '@pikku/core/workflow'
import type { JobDetails, JobSummary, QueueStatus, ScheduleSummary } from './queue-inspector.js'
import { isSleepStep, type StoredStep } from '../workflows/workflow-run-store.js'
import { block, oneLine } from './terminal-text.js'

export type Colors = ReturnType<typeof createColors>

/**
 * Colours only on a terminal: off when output is piped or redirected, when
 * NO_COLOR is set (no-color.org) or TERM is dumb; FORCE_COLOR turns them on.
 */
export function colorsFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Colors {
  const enabled = env.NO_COLOR ? false : env.FORCE_COLOR && env.FORCE_COLOR !== '0' ? true : Boolean(stream.isTTY) && env.TERM !== 'dumb'
  return createColors(enabled)
}

interface Column<Row> {
  header: string
  value: (row: Row) => string
  /** Numbers line up on the right. */
  align?: 'right'
  color?: (row: Row, text: string, colors: Colors) => string
}

/** The widest a table cell gets; longer values end in "…". */
const MAX_CELL = 60
/** The most of one value (data, result, error, a stack, a log line) the job view prints. */
const MAX_BLOCK = 4_000

/** A plain-text table; widths come from the uncoloured text, so colours never break alignment. */
function table<Row>(rows: Row[], columns: Column<Row>[], colors: Colors): string {
  const cells = rows.map((row) => columns.map((column) => oneLine(column.value(row), MAX_CELL)))
  const widths = columns.map((column, index) => Math.max(column.header.length, ...cells.map((line) => line[index]!.length)))
  const pad = (text: string, index: number) => (columns[index]!.align === 'right' ? text.padStart(widths[index]!) : text.padEnd(widths[index]!))
  const header = columns.map((column, index) => colors.bold(pad(column.header, index))).join('  ')
  const body = rows.map((row, rowIndex) =>
    columns
      .map((column, index) => {
        const text = pad(cells[rowIndex]![index]!, index)
        return column.color ? column.color(row, text, colors) : text
      })
      .join('  ')
      .trimEnd()
  )
  return [header.trimEnd(), ...body].join('\n')
}

const count = (value: number) => String(value)
const redWhenAny = (value: (row: QueueStatus) => number) => (row: QueueStatus, text: string, colors: Colors) => (value(row) > 0 ? colors.red(text) : text)

export function renderStatus(rows: QueueStatus[], colors: Colors): string {
  if (rows.length === 0) return 'No queues yet.'
  return table(
    rows,
    [
      { header: 'QUEUE', value: (row) => row.queue, color: (_row, text, c) => c.cyan(text) },
      { header: 'STATE', value: (row) => (row.paused ? 'paused' : 'running'), color: (row, text, c) => (row.paused ? c.yellow(text) : c.green(text)) },
      { header: 'WAITING', value: (row) => count(row.waiting), align: 'right' },
      { header: 'ACTIVE', value: (row) => count(row.active), align: 'right' },
      { header: 'DELAYED', value: (row) => count(row.delayed), align: 'right' },
      { header: 'COMPLETED', value: (row) => count(row.completed), align: 'right' },
      { header: 'FAILED', value: (row) => count(row.failed), align: 'right', color: redWhenAny((row) => row.failed) },
      { header: 'DONE/MIN', value: (row) => count(row.completedPerMinute), align: 'right' },
      { header: 'FAILED/MIN', value: (row) => count(row.failedPerMinute), align: 'right', color: redWhenAny((row) => row.failedPerMinute) },
    ],
    colors
  )
}

export function renderJobs(rows: JobSummary[], colors: Colors): string {
  if (rows.length === 0) return 'No jobs.'
  return table(
    rows,
    [
      { header: 'ID', value: (row) => row.id },
      { header: 'NAME', value: (row) => row.name },
      { header: 'STATE', value: (row) => row.state, color: (row, text, c) => (row.state === 'failed' ? c.red(text) : row.state === 'completed' ? c.green(text) : text) },
      { header: 'ATTEMPTS', value: (row) => `${row.attemptsMade}/${row.maxAttempts}`, align: 'right' },
      { header: 'CREATED', value: (row) => row.createdAt },
      { header: 'FINISHED', value: (row) => row.finishedAt ?? '-' },
      { header: 'ERROR', value: (row) => (row.failedReason ?? '').replace(/\s+/g, ' '), color: (_row, text, c) => c.red(text) },
    ],
    colors
  )
}

const json = (value: unknown) => block(JSON.stringify(value, null, 2) ?? 'undefined', MAX_BLOCK)
const indent = (text: string) => text.replace(/^/gm, '  ')

export function renderJob(job: JobDetails, colors: Colors): string {
  const stateColor = job.state === 'failed' ? colors.red : job.state === 'completed' ? colors.green : colors.yellow
  const lines = [
    `${colors.bold(`Job ${oneLine(job.id, MAX_CELL)}`)} (${oneLine(job.name, MAX_CELL)}) in queue ${colors.cyan(oneLine(job.queue, MAX_CELL))}: ${stateColor(job.state)}`,
    `attempts   ${job.attemptsMade}/${job.maxAttempts}`,
    `progress   ${typeof job.progress === 'number' ? `${job.progress}%` : json(job.progress)}`,
    `created    ${job.createdAt}${job.delayMs ? ` (delay ${job.delayMs} ms)` : ''}`,
    `processed  ${job.processedAt ?? '-'}`,
    `finished   ${job.finishedAt ?? '-'}`,
  ]
  if (job.priority) lines.push(`priority   ${job.priority}`)
  lines.push(colors.bold('data'), indent(json(job.data)))
  if (job.result !== null) lines.push(colors.bold('result'), indent(json(job.result)))
  if (job.failedReason) lines.push(colors.bold('error'), indent(colors.red(block(job.failedReason, MAX_BLOCK))))
  if (job.stacktrace.length > 0) lines.push(colors.bold(`stack (last ${job.stacktrace.length} attempt(s))`), ...job.stacktrace.map((stack) => indent(colors.dim(block(stack, MAX_BLOCK)))))
  lines.push(colors.bold(`logs (${job.logs.length})`), ...(job.logs.length > 0 ? job.logs.map((line) => indent(oneLine(line, MAX_BLOCK))) : [indent('-')]))
  return lines.join('\n')
}

export function renderSchedules(rows: ScheduleSummary[], colors: Colors): string {
  if (rows.length === 0) return 'No job schedulers.'
  return table(
    rows,
    [
      { header: 'QUEUE', value: (row) => row.queue, color: (_row, text, c) => c.cyan(text) },
      { header: 'ID', value: (row) => row.id },
      { header: 'JOB', value: (row) => row.jobName },
      { header: 'REPEAT', value: (row) => (row.pattern ? `cron ${row.pattern}${row.timezone ? ` (${row.timezone})` : ''}` : `every ${row.everyMs} ms`) },
      { header: 'NEXT RUN', value: (row) => row.nextRunAt ?? '-' },
      { header: 'RUNS', value: (row) => String(row.iterations), align: 'right' },
    ],
    colors
  )
}

const statusColor = (status: string, text: string, colors: Colors) =>
  status === 'failed' || status === 'cancelled' ? colors.red(text) : status === 'completed' || status === 'succeeded' ? colors.green(text) : colors.yellow(text)

export function renderWorkflowRuns(counts: Record<WorkflowStatus, number>, runs: WorkflowRun[], colors: Colors): string {
  const summary = Object.entries(counts).map(([status, n]) => `${status} ${n}`).join(', ')
  if (runs.length === 0) return `No workflow runs (${summary}).`
  return `${table(
    runs,
    [
      { header: 'RUN', value: (run) => run.id },
      { header: 'WORKFLOW', value: (run) => run.workflow, color: (_run, text, c) => c.cyan(text) },
      { header: 'STATUS', value: (run) => run.status, color: (run, text, c) => statusColor(run.status, text, c) },
      { header: 'STARTED', value: (run) => run.createdAt.toISOString() },
      { header: 'UPDATED', value: (run) => run.updatedAt.toISOString() },
      { header: 'ERROR', value: (run) => (run.error?.message ?? '').replace(/\s+/g, ' '), color: (_run, text, c) => c.red(text) },
    ],
    colors,
  )}\n${colors.dim(summary)}`
}

/** One run: its status, then every attempt of every step with its timings. */
export function renderWorkflowRun(run: WorkflowRun, history: StoredStep[], colors: Colors): string {
  const lines = [
    `${colors.bold(`Run ${run.id}`)} of workflow ${colors.cyan(run.workflow)}: ${statusColor(run.status, run.status, colors)}`,
    `started    ${run.createdAt.toISOString()}`,
    `updated    ${run.updatedAt.toISOString()}`,
    colors.bold('input'),
    indent(json(run.input)),
  ]
  if (run.status === 'completed') lines.push(colors.bold('output'), indent(json(run.output)))
  if (run.error) lines.push(colors.bold('error'), indent(colors.red(block(run.error.message ?? '', MAX_BLOCK))))
  const durationMs = (step: StoredStep) => {
    const start = step.runningAt ?? step.scheduledAt
    const end = step.succeededAt ?? step.failedAt
    return start && end ? `${end.getTime() - start.getTime()} ms` : '-'
  }
  lines.push(
    colors.bold(`steps (${history.length} attempt(s))`),
    history.length === 0
      ? indent('-')
      : indent(table(
          history,
          [
            { header: 'STEP', value: (step) => step.stepName },
            { header: 'FUNCTION', value: (step) => step.rpcName ?? (isSleepStep(step) ? 'sleep' : 'inline') },
            { header: 'STATUS', value: (step) => step.status, color: (step, text, c) => statusColor(step.status, text, c) },
            { header: 'ATTEMPT', value: (step) => String(step.attemptCount), align: 'right' },
            { header: 'STARTED', value: (step) => (step.runningAt ?? step.scheduledAt ?? step.createdAt).toISOString() },
            { header: 'TOOK', value: durationMs, align: 'right' },
            { header: 'ERROR', value: (step) => (step.error?.message ?? '').replace(/\s+/g, ' '), color: (_step, text, c) => c.red(text) },
          ],
          colors,
        )),
  )
  return lines.join('\n')
}
