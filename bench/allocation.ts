// Bytes allocated per no-op job, in process: counts that do not drift with the machine's load the
// way timings do, so they can hold a budget. Runs dist/client/bench-allocation.js of the bench project.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { cleanEnv } from '../test/support/clean-env.js'
import { formatRounds, summarize, type BenchSection } from './stats.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CALLS = 20_000
/** What pikku-bullmq may allocate per no-op job beyond what a raw BullMQ processor does. */
const BUDGET_BYTES = 2048

const MODES = [
  ['raw', 'raw BullMQ processor (baseline)'],
  ['core-runner', "core's runPikkuFunc alone"],
  ['attempt-core', "whole attempt, core's path (`leanAttempts: false`)"],
  ['attempt-lean', 'whole attempt, lean path (the default)'],
] as const
type Mode = (typeof MODES)[number][0]

interface AllocationResult {
  bytesPerCall: number
  top: Array<{ name: string; bytesPerCall: number }>
}

function measure(mode: Mode, app: string): AllocationResult {
  // As the generated Dockerfile runs the server: NODE_ENV=production (no output-schema check).
  const result = spawnSync(process.execPath, [path.join('dist', 'client', 'bench-allocation.js'), mode, String(CALLS)], { cwd: app, env: cleanEnv({ NODE_ENV: 'production' }), encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`allocation bench (${mode}) failed:\n${result.stdout}${result.stderr}`)
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as AllocationResult
}

const kb = (bytes: number) => (bytes / 1024).toFixed(2)

export async function benchAllocation(app: string): Promise<BenchSection> {
  const results = Object.fromEntries(MODES.map(([mode]) => [mode, [] as AllocationResult[]])) as Record<Mode, AllocationResult[]>
  for (let round = 0; round < ROUNDS; round++) {
    for (const [mode] of round % 2 ? [...MODES].reverse() : MODES) results[mode].push(measure(mode, app))
  }
  const bytes = (mode: Mode) => results[mode].map((run) => run.bytesPerCall)
  const overRaw = (mode: Mode) => summarize(bytes(mode).map((value, round) => value - bytes('raw')[round]!))
  const lean = overRaw('attempt-lean')
  console.log(`allocation: lean attempt ${formatRounds(summarize(bytes('attempt-lean')))} B/job, ${formatRounds(lean)} B over raw BullMQ (budget ${BUDGET_BYTES})`)
  const rows = MODES.map(([mode, label]) => {
    const over = mode === 'raw' ? '' : `${kb(overRaw(mode).median)} (${kb(overRaw(mode).min)}–${kb(overRaw(mode).max)})`
    return `| ${label} | ${kb(summarize(bytes(mode)).median)} (${kb(summarize(bytes(mode)).min)}–${kb(summarize(bytes(mode)).max)}) | ${over} |`
  })
  const topOf = (mode: Mode) =>
    results[mode][0]!.top.map(({ name, bytesPerCall }) => `| ${name.replace(/\|/g, '\\|')} | ${Math.round(bytesPerCall)} |`).join('\n')
  return {
    title: 'Bytes allocated per job, in process',
    markdown: `The bench project's no-op queue, ${CALLS} calls 10 at a time after as many to warm up, in its compiled code
with \`NODE_ENV=production\` and its services (the worker connected to Redis, but each job handed to the
processor in process): a raw BullMQ processor returning the same value, core's \`runPikkuFunc\` called as
pikku-bullmq calls it, and the whole attempt through the worker's processor on each path. V8's sampling
heap profiler, keeping objects collected by minor and major GCs, counts every allocation of the timed
calls. ${ROUNDS} rounds per mode, each in its own process; KB per job, median (min–max). Budget: at most
${kb(BUDGET_BYTES)} KB per job over raw BullMQ on the default path.

| | KB per job | over raw BullMQ |
| --- | --- | --- |
${rows.join('\n')}

The lean path allocates **${kb(lean.median)} KB** per job over raw BullMQ (${lean.max <= BUDGET_BYTES ? 'within' : 'over'} the budget in every round).
Where it goes, from the first round (bytes per job by allocating function):

| lean path: function | bytes |
| --- | --- |
${topOf('attempt-lean')}

| core's path: function | bytes |
| --- | --- |
${topOf('attempt-core')}
`,
  }
}
