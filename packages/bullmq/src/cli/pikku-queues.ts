#!/usr/bin/env node
// `pikku-queues`: the terminal view of a Pikku BullMQ app's queues (`npm run queues -- status`).
import { Command, InvalidArgumentError, Option } from 'commander'
import { DEFAULT_REDIS_URL } from '../connection/redis-url.js'
import { block } from './terminal-text.js'
import { CLEANABLE_STATES, CliError, LISTABLE_STATES, QueueInspector, type CleanableState, type ListableState } from './queue-inspector.js'
import { colorsFor, renderJob, renderJobs, renderSchedules, renderStatus, renderWorkflowRun, renderWorkflowRuns } from './terminal-output.js'
import { RUN_STATUSES } from '../workflows/workflow-run-store.js'
import type { WorkflowStatus } from '@pikku/core/workflow'
import { watchStatus } from './watch-status.js'

interface GlobalOptions {
  redisUrl?: string
  prefix?: string
  json?: boolean
  tlsCa?: string
  tlsCert?: string
  tlsKey?: string
}

const colors = colorsFor(process.stdout)
const errorColors = colorsFor(process.stderr)

function nonNegativeInteger(value: string): number {
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a whole number, 0 or more')
  return parsed
}

function positiveInteger(value: string): number {
  const parsed = nonNegativeInteger(value)
  if (parsed === 0) throw new InvalidArgumentError('expected a whole number, 1 or more')
  return parsed
}

const program = new Command('pikku-queues')
  .description("Inspect and manage a Pikku BullMQ app's queues in Redis (the worker server need not run)")
  .option('--redis-url <url>', 'Redis to connect to (default: REDIS_URL or redis://127.0.0.1:6379)')
  .option('--prefix <prefix>', 'BullMQ key prefix (default: PIKKU_QUEUE_PREFIX or bull)')
  .option('--json', 'print JSON for scripts instead of tables')
  .option('--tls-ca <file>', 'CA certificate of a rediss:// Redis with a private CA (default: REDIS_TLS_CA_FILE)')
  .option('--tls-cert <file>', 'client certificate, for a Redis that asks for one (default: REDIS_TLS_CERT_FILE)')
  .option('--tls-key <file>', "the client certificate's key (default: REDIS_TLS_KEY_FILE)")
  .showHelpAfterError()

/** Connects, runs one command, prints its result, and always disconnects. */
function action<Args extends unknown[]>(run: (inspector: QueueInspector, json: boolean, ...args: Args) => Promise<string | object>) {
  return async (...args: Args) => {
    const global = program.opts<GlobalOptions>()
    const env = {
      ...process.env,
      ...(global.tlsCa ? { REDIS_TLS_CA_FILE: global.tlsCa } : {}),
      ...(global.tlsCert ? { REDIS_TLS_CERT_FILE: global.tlsCert } : {}),
      ...(global.tlsKey ? { REDIS_TLS_KEY_FILE: global.tlsKey } : {}),
    }
    const inspector = new QueueInspector(global.redisUrl ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL, global.prefix ?? process.env.PIKKU_QUEUE_PREFIX ?? 'bull', env)
    try {
      await inspector.connect()
      const output = await run(inspector, Boolean(global.json), ...args)
      if (output !== '') process.stdout.write(`${typeof output === 'string' ? output : JSON.stringify(output, null, 2)}\n`)
    } finally {
      await inspector.close()
    }
  }
}

program
  .command('status')
  .description('job counts by state for every queue, with completions and failures in the last minute')
  .action(action(async (inspector, json) => (json ? inspector.status() : renderStatus(await inspector.status(), colors))))

program
  .command('jobs')
  .description('list the newest jobs of a queue')
  .argument('<queue>', 'queue name')
  .addOption(new Option('--state <state>', 'only jobs in this state').choices(LISTABLE_STATES))
  .option('--limit <n>', 'how many jobs', positiveInteger, 20)
  .action(
    action(async (inspector, json, queue: string, options: { state?: ListableState; limit: number }) => {
      const jobs = await inspector.jobs(queue, options.state, options.limit)
      return json ? jobs : renderJobs(jobs, colors)
    })
  )

program
  .command('job')
  .description('one job: data, result, error and stack, attempts, progress, logs, timestamps')
  .argument('<queue>', 'queue name')
  .argument('<id>', 'job id')
  .action(
    action(async (inspector, json, queue: string, id: string) => {
      const job = await inspector.job(queue, id)
      return json ? job : renderJob(job, colors)
    })
  )

program
  .command('retry')
  .description('retry a failed (or completed) job, or every failed job of the queue')
  .argument('<queue>', 'queue name')
  .argument('[id]', 'job id')
  .option('--all-failed', 'retry every failed job of the queue')
  .action(
    action(async (inspector, json, queue: string, id: string | undefined, options: { allFailed?: boolean }) => {
      if (Boolean(id) === Boolean(options.allFailed)) throw new CliError('Give either a job id or --all-failed: pikku-queues retry <queue> <id> | --all-failed')
      if (id) {
        await inspector.retry(queue, id)
        return json ? { queue, retried: [id] } : `Job ${id} in queue '${queue}' is waiting to run again`
      }
      const count = await inspector.retryAllFailed(queue)
      return json ? { queue, retried: count } : `${count} failed job(s) in queue '${queue}' are waiting to run again`
    })
  )

program
  .command('remove')
  .description('delete a job that is not running')
  .argument('<queue>', 'queue name')
  .argument('<id>', 'job id')
  .action(
    action(async (inspector, json, queue: string, id: string) => {
      await inspector.remove(queue, id)
      return json ? { queue, removed: id } : `Removed job ${id} from queue '${queue}'`
    })
  )

program
  .command('clean')
  .description('delete the jobs of one state (default: completed) older than a grace period')
  .argument('<queue>', 'queue name')
  .addOption(new Option('--state <state>', 'which jobs').choices(CLEANABLE_STATES).default('completed'))
  .option('--grace <ms>', 'keep jobs newer than this many milliseconds', nonNegativeInteger, 0)
  .option('--limit <n>', 'delete at most this many (0: all)', nonNegativeInteger, 0)
  .action(
    action(async (inspector, json, queue: string, options: { state: CleanableState; grace: number; limit: number }) => {
      const removed = await inspector.clean(queue, options.state, options.grace, options.limit)
      return json ? { queue, state: options.state, removed } : `Removed ${removed.length} ${options.state} job(s) from queue '${queue}'`
    })
  )

for (const [name, description] of [
  ['pause', 'stop workers everywhere from taking new jobs of the queue (running jobs finish)'],
  ['resume', 'let workers take jobs of the queue again'],
] as const) {
  program
    .command(name)
    .description(description)
    .argument('<queue>', 'queue name')
    .action(
      action(async (inspector, json, queue: string) => {
        await (name === 'pause' ? inspector.pause(queue) : inspector.resume(queue))
        return json ? { queue, paused: name === 'pause' } : `Queue '${queue}' ${name === 'pause' ? 'paused' : 'resumed'}`
      })
    )
}

program
  .command('schedules')
  .description('job schedulers (cron or interval) and their next run')
  .argument('[queue]', 'only this queue')
  .action(
    action(async (inspector, json, queue: string | undefined) => {
      const schedules = await inspector.schedules(queue)
      return json ? schedules : renderSchedules(schedules, colors)
    })
  )

program
  .command('workflows')
  .description('workflow runs, newest first, with the number of runs in each status')
  .addOption(new Option('--status <status>', 'only runs with this status').choices(RUN_STATUSES))
  .option('--limit <n>', 'at most this many runs', positiveInteger, 20)
  .action(
    action(async (inspector, json, options: { status?: WorkflowStatus; limit: number }) => {
      const store = inspector.workflows()
      const [counts, runs] = await Promise.all([store.countByStatus(), store.listRuns(options)])
      return json ? { counts, runs } : renderWorkflowRuns(counts, runs, colors)
    })
  )

program
  .command('workflow')
  .description("one workflow run: status, input, output or error, and each step's attempts with their timings")
  .argument('<runId>', 'the run id (from startWorkflow, or `workflows`)')
  .action(
    action(async (inspector, json, runId: string) => {
      const store = inspector.workflows()
      const run = await store.getRun(runId)
      if (!run) throw new CliError(`No workflow run ${runId} under prefix '${inspector.prefix}' (never started, or removed by retention)`)
      const history = await store.history(runId)
      return json ? { run, steps: history } : renderWorkflowRun(run, history, colors)
    })
  )

program
  .command('watch')
  .description('a live status table, refreshed until Ctrl-C')
  .option('--interval <ms>', 'refresh every this many milliseconds', positiveInteger, 1000)
  .action(
    action(async (inspector, json, options: { interval: number }) => {
      const stop = new AbortController()
      const onSignal = () => stop.abort()
      process.once('SIGINT', onSignal)
      process.once('SIGTERM', onSignal)
      try {
        await watchStatus(inspector, { intervalMs: options.interval, json, colors, out: process.stdout, signal: stop.signal })
      } finally {
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
      }
      return ''
    })
  )

try {
  await program.parseAsync()
} catch (error) {
  if (!(error instanceof CliError)) throw error
  process.stderr.write(`${errorColors.red('error:')} ${block(error.message, 2_000)}\n`)
  process.exitCode = 1
}
