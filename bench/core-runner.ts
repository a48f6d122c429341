// What core's function runner costs per job, in process and without Redis: the no-op bench function
// run through runPikkuFunc as pikku-bullmq runs it, against calling it directly.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { cleanEnv } from '../test/support/clean-env.js'
import { formatRounds, summarize, type BenchSection } from './stats.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3) + 2
const CALLS = 200_000

interface RunnerResult {
  usPerCall: number
  gcUsPerCall: number
}

function measure(mode: 'core' | 'direct', app: string): RunnerResult {
  const result = spawnSync(process.execPath, [path.join('dist', 'client', 'bench-core-runner.js'), mode, String(CALLS)], { cwd: app, env: cleanEnv(), encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`core runner bench (${mode}) failed:\n${result.stdout}${result.stderr}`)
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as RunnerResult
}

export async function benchCoreRunner(app: string): Promise<BenchSection> {
  const results = { core: [] as RunnerResult[], direct: [] as RunnerResult[] }
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 ? (['core', 'direct'] as const) : (['direct', 'core'] as const)) results[mode].push(measure(mode, app))
  }
  const row = (label: string, runs: RunnerResult[]) =>
    `| ${label} | ${formatRounds(summarize(runs.map((run) => run.usPerCall)), 2)} | ${formatRounds(summarize(runs.map((run) => run.gcUsPerCall)), 2)} |`
  const extra = summarize(results.core.map((run, round) => run.usPerCall - results.direct[round]!.usPerCall))
  const gcShare = summarize(results.core.map((run) => (run.gcUsPerCall / run.usPerCall) * 100))
  console.log(`core runner: ${formatRounds(extra, 2)} µs per call over a direct call`)
  return {
    title: "Core's function runner per job, in process",
    markdown: `The no-op bench function, ${CALLS} calls 10 at a time in the generated project's compiled code with
its services, no Redis: run through \`@pikku/core\`'s \`runPikkuFunc\` with the arguments pikku-bullmq passes for each job
(wire, middleware chain, input validation, permissions, secret-free services), or called directly.
${ROUNDS} rounds per side, each in its own process, alternating; µs per call and the garbage collection
pause within it, median (min–max).

| | µs per call | of which GC pause |
| --- | --- | --- |
${row('function called directly (baseline)', results.direct)}
${row("through core's runner", results.core)}

Core's runner adds **${formatRounds(extra, 1)} µs** per job (compare the CPU a raw BullMQ worker spends on a
whole no-op job, in the profile above), and ${gcShare.median.toFixed(0)}% of a call is garbage collection pause. The cause is in
core: on every call it defines \`wire.rpc\`, and twice \`services.secrets\`, as accessors with new getter
functions. V8 allocates accessor pairs in old space, so each getter, and all of that run its closure
reaches, outlives the run until the next full collection. In a worker process this garbage also slows
BullMQ's and ioredis's own allocations, which is why the profile charges them more time on the Pikku
side. pikku-bullmq keeps what it hands to core from being held (the job's data and \`wire.queue\` are
dropped when the attempt ends); the accessors themselves can only change in core.
`,
  }
}
