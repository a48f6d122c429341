// What a durable workflow step costs over the plain job it replaces: the generated project's
// workers, scheduler and workflow service with their defaults, in one process, on Redis.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { cleanEnv } from '../test/support/clean-env.js'
import { formatRounds, summarize, type BenchSection } from './stats.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const RUNS = 30
const MODES = ['jobs', 'queued', 'inline'] as const

function measure(mode: (typeof MODES)[number], app: string): number {
  const env = { ...cleanEnv(), PIKKU_QUEUE_PREFIX: `bench-wf-${process.pid}-${Date.now()}` }
  const result = spawnSync(process.execPath, [path.join('dist', 'client', 'bench-workflow.js'), mode, String(RUNS)], { cwd: app, env, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`workflow bench (${mode}) failed:\n${result.stdout}${result.stderr}`)
  return Number(result.stdout.trim().split('\n').at(-1))
}

export async function benchWorkflowSteps(app: string): Promise<BenchSection> {
  const us: Record<(typeof MODES)[number], number[]> = { jobs: [], queued: [], inline: [] }
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < MODES.length; i++) {
      const mode = MODES[(i + round) % MODES.length]!
      us[mode].push(measure(mode, app))
    }
  }
  const ratio = (mode: 'queued' | 'inline') => summarize(us[mode].map((value, round) => value / us.jobs[round]!))
  const extra = (mode: 'queued' | 'inline') => summarize(us[mode].map((value, round) => value - us.jobs[round]!))
  console.log(`workflow steps: queued ${formatRounds(ratio('queued'), 2)} × a chained job, inline ${formatRounds(ratio('inline'), 2)}`)
  return {
    title: 'Workflow steps against plain jobs',
    markdown: `A workflow of ${10} sequential no-op steps, ${RUNS} runs one after another, against a chain of no-op jobs
each added when the previous finished (what a step replaces), in the generated project with its defaults
(one process running the workers, the scheduler and the workflow service; Redis on 127.0.0.1). A queued
step (\`workflowQueued: true\`) is a step job plus the orchestration job that resumes the run (which replays
the recorded steps); an inline step runs inside one orchestration. ${ROUNDS} rounds, the sides rotating; µs
per step (or job), and the ratio to the chained job per round, median (min–max).

| | µs per step | × a chained plain job | extra µs per step |
| --- | --- | --- | --- |
| chained plain job (baseline) | ${formatRounds(summarize(us.jobs))} | 1 | 0 |
| queued step | ${formatRounds(summarize(us.queued))} | **${formatRounds(ratio('queued'), 2)}** | ${formatRounds(extra('queued'))} |
| inline step | ${formatRounds(summarize(us.inline))} | **${formatRounds(ratio('inline'), 2)}** | ${formatRounds(extra('inline'))} |

A queued step costs two jobs and the replay of the steps before it, so a run's cost grows with its
length; steps that need no job of their own (retry isolation, their own concurrency) are cheaper inline.
`,
  }
}
