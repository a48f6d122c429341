// Add-to-complete latency at low load: one job at a time through one worker process, timed by the
// producer from before `add()` to the `completed` event, for the generated project and raw BullMQ.
import { Queue, QueueEvents } from 'bullmq'
import type { BenchSection } from './stats.js'
import { startWorkerProcess, stopWorkerProcess, type Side } from './worker-processes.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const { hostname, port } = new URL(REDIS_URL)
const connection = { host: hostname, port: Number(port || 6379) }
const JOBS = Number(process.env.BENCH_LATENCY_JOBS ?? 300)
const ROUNDS = 2

async function measure(side: Side, app: string): Promise<number[]> {
  const prefix = `bench-latency-${side}-${process.pid}-${Date.now()}`
  const queue = new Queue('bench-noop', { connection, prefix })
  const events = new QueueEvents('bench-noop', { connection, prefix })
  await events.waitUntilReady()
  const worker = await startWorkerProcess(side, { app, queue: 'bench-noop', prefix, concurrency: 1 })
  const latencies: number[] = []
  try {
    for (let i = 0; i < JOBS; i++) {
      const started = performance.now()
      const job = await queue.add('job', { i }, { removeOnComplete: 1000 })
      await job.waitUntilFinished(events, 10_000)
      latencies.push(performance.now() - started)
    }
  } finally {
    await stopWorkerProcess(worker)
    await events.close()
    await queue.obliterate({ force: true })
    await queue.close()
  }
  return latencies
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

export async function benchLatency(app: string): Promise<BenchSection> {
  const all: Record<'bullmq' | 'pikku', number[]> = { bullmq: [], pikku: [] }
  const perRound: Record<'bullmq' | 'pikku', number[]> = { bullmq: [], pikku: [] }
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 ? (['pikku', 'bullmq'] as const) : (['bullmq', 'pikku'] as const)) {
      const latencies = await measure(side, app)
      all[side].push(...latencies)
      perRound[side].push(percentile(latencies, 50))
    }
  }
  const cell = (values: number[], p: number) => percentile(values, p).toFixed(2)
  const rows = [50, 95, 99].map((p) => `| p${p} | ${cell(all.bullmq, p)} | ${cell(all.pikku, p)} | ${(percentile(all.pikku, p) - percentile(all.bullmq, p)).toFixed(2)} |`)
  console.log(`latency ${rows.join(' ')}`)
  return {
    title: 'Add-to-complete latency at low load',
    markdown: `${JOBS} no-op jobs, one at a time, through one worker process (concurrency 1), ${ROUNDS} rounds per side,
alternating; each timed by the producer from before \`add()\` to the \`completed\` event (QueueEvents, the
same on both sides). Milliseconds over all ${ROUNDS * JOBS} jobs per side; per-round p50s: raw
${perRound.bullmq.map((v) => v.toFixed(2)).join(' / ')}, pikku ${perRound.pikku.map((v) => v.toFixed(2)).join(' / ')}. Goal: within 1 ms of raw.

| percentile | raw BullMQ ms | pikku ms | difference ms |
| --- | --- | --- | --- |
${rows.join('\n')}
`,
  }
}
