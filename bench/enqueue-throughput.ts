// Enqueue throughput of the generated project's typed producer (PikkuQueue on pikku-bullmq: job
// defaults, option checks, retention) against a plain BullMQ Queue, each in a process of its own.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Queue } from 'bullmq'
import { cleanEnv } from '../test/support/clean-env.js'
import { formatRounds, summarize, type BenchSection } from './stats.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const { hostname, port } = new URL(REDIS_URL)
const RAW_PRODUCER = fileURLToPath(new URL('./fixtures/raw-bullmq-enqueue.mjs', import.meta.url))
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const JOBS = { add: 3000, addBulk: 20_000 } as const

/** One producer process on a fresh prefix; its jobs are removed afterwards. Returns jobs/s. */
async function measure(side: 'bullmq' | 'pikku', mode: keyof typeof JOBS, app: string): Promise<number> {
  const prefix = `bench-enqueue-${side}-${process.pid}-${Date.now()}`
  const [script, cwd] = side === 'pikku' ? [path.join('dist', 'client', 'bench-enqueue.js'), app] : [RAW_PRODUCER, path.dirname(RAW_PRODUCER)]
  const result = spawnSync(process.execPath, [script, mode, String(JOBS[mode])], { cwd, env: cleanEnv({ REDIS_URL, PIKKU_QUEUE_PREFIX: prefix }), encoding: 'utf8' })
  const queue = new Queue('bench-noop', { connection: { host: hostname, port: Number(port || 6379) }, prefix })
  await queue.obliterate({ force: true })
  await queue.close()
  if (result.status !== 0) throw new Error(`${side} ${mode} failed:\n${result.stdout}${result.stderr}`)
  return Number(result.stdout.trim().split('\n').at(-1))
}

export async function benchEnqueueThroughput(app: string): Promise<BenchSection> {
  const rows: string[] = []
  for (const mode of ['add', 'addBulk'] as const) {
    const results = { bullmq: [] as number[], pikku: [] as number[] }
    const ratios: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of round % 2 ? (['pikku', 'bullmq'] as const) : (['bullmq', 'pikku'] as const)) results[side].push(await measure(side, mode, app))
      ratios.push(results.pikku.at(-1)! / results.bullmq.at(-1)!)
    }
    rows.push(`| \`${mode}\` | ${JOBS[mode]} | ${formatRounds(summarize(results.bullmq))} | ${formatRounds(summarize(results.pikku))} | **${formatRounds(summarize(ratios), 2)}** |`)
    console.log(`enqueue ${rows.at(-1)}`)
  }
  return {
    title: 'Enqueue throughput: the typed producer against a raw BullMQ Queue',
    markdown: `One producer process per round, adding jobs one \`await\` at a time (\`add\`) or 100 per call
(\`addBulk\`), after 200 warm-up jobs: the generated project's \`PikkuQueue\` (compiled, on pikku-bullmq:
wiring defaults, option checks, retention defaults) against a plain BullMQ \`Queue\`. ${ROUNDS} rounds per
row, sides alternating; jobs/s and ratio (per round) as median (min–max). Goal: ≥ 0.95.

| call | jobs | raw BullMQ jobs/s | typed producer jobs/s | ratio |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
`,
  }
}
