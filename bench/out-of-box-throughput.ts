// Worker throughput as users get it: the generated project's compiled server with its default
// settings against a raw BullMQ Worker process doing the same work, alternating in one run.
import { Queue } from 'bullmq'
import { renderThroughputChart } from './throughput-chart.js'
import { formatRounds, summarize, type BenchSection } from './stats.js'
import { startWorkerProcess, stopWorkerProcess, type Side, type WorkerProcess } from './worker-processes.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const { hostname, port } = new URL(REDIS_URL)
const connection = { host: hostname, port: Number(port || 6379) }
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONCURRENCY = [1, 10, 50]
const PROCESSES = [1, 2]
const WORKLOADS = [
  { queue: 'bench-noop', label: 'no-op', jobs: Number(process.env.BENCH_JOBS ?? 10_000) },
  { queue: 'bench-io', label: '1 ms I/O', jobs: Number(process.env.BENCH_IO_JOBS ?? 3_000) },
] as const

/**
 * One round: jobs loaded into a paused queue, the worker processes started and ready, then the
 * queue resumed and timed until nothing is left waiting or active. Returns jobs per second.
 */
export async function measureThroughput(side: Side, app: string, queueName: string, jobs: number, concurrency: number, processes: number, env: NodeJS.ProcessEnv = {}): Promise<number> {
  const prefix = `bench-${side}-${process.pid}-${Date.now()}`
  const queue = new Queue(queueName, { connection, prefix })
  await queue.pause()
  for (let i = 0; i < jobs; i += 1000) {
    const chunk = Array.from({ length: Math.min(1000, jobs - i) }, (_, j) => ({ name: 'job', data: { i: i + j }, opts: { removeOnComplete: 1000 } }))
    await queue.addBulk(chunk)
  }
  const workers: WorkerProcess[] = []
  try {
    for (let p = 0; p < processes; p++) workers.push(await startWorkerProcess(side, { app, queue: queueName, prefix, concurrency, env }))
    const started = performance.now()
    await queue.resume()
    for (;;) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')
      if (Object.values(counts).every((count) => count === 0)) break
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    const failed = await queue.getFailedCount()
    if (failed > 0) throw new Error(`${failed} ${side} jobs failed in ${queueName}`)
    return jobs / ((performance.now() - started) / 1000)
  } finally {
    await Promise.all(workers.map(stopWorkerProcess))
    await queue.obliterate({ force: true })
    await queue.close()
  }
}

export interface ThroughputRow {
  workload: string
  concurrency: number
  processes: number
  bullmq: number[]
  pikku: number[]
  ratios: number[]
}

export async function benchOutOfBoxThroughput(app: string): Promise<BenchSection> {
  const rows: ThroughputRow[] = []
  const sides = ['bullmq', 'pikku'] as const
  for (const { queue, label, jobs } of WORKLOADS) {
    for (const processes of PROCESSES) {
      for (const concurrency of CONCURRENCY) {
        const row: ThroughputRow = { workload: label, concurrency, processes, bullmq: [], pikku: [], ratios: [] }
        for (let round = 0; round < ROUNDS; round++) {
          // Alternate which side goes first so warm-up and drift do not favour one.
          const order = round % 2 ? [...sides].reverse() : sides
          for (const side of order) row[side].push(await measureThroughput(side, app, queue, jobs, concurrency, processes))
          row.ratios.push(row.pikku.at(-1)! / row.bullmq.at(-1)!)
        }
        console.log(`throughput ${label} c=${concurrency} p=${processes}: ratio ${formatRounds(summarize(row.ratios), 2)}`)
        rows.push(row)
      }
    }
  }
  const table = rows.map(
    (row) =>
      `| ${row.workload} | ${row.concurrency} | ${row.processes} | ${formatRounds(summarize(row.bullmq))} | ${formatRounds(summarize(row.pikku))} | **${formatRounds(summarize(row.ratios), 2)}** |`,
  )
  return {
    title: 'Worker throughput out of the box: the generated project against raw BullMQ',
    markdown: `The generated project's compiled server (\`node dist/src/start.js\` with \`NODE_ENV=production\`, as its
Dockerfile runs it; everything else default: JSON logs at info, input validation, the middleware
chain, the monitoring server and the scheduler on) runs two added queues, \`bench-noop\` (returns at
once) and \`bench-io\` (waits 1 ms); the baseline is a plain BullMQ Worker process doing the same work.
Per round: ${WORKLOADS.map(({ label, jobs }) => `${jobs} ${label}`).join(' or ')} jobs are loaded into a paused queue
(\`removeOnComplete: 1000\`), the worker processes start, and the time runs from \`resume()\` until no job
is waiting or active. ${ROUNDS} rounds per row, sides alternating; jobs/s and ratio (pikku / raw, per round)
as median (min–max). Goal: ratio ≥ 0.90.

| workload | concurrency | processes | raw BullMQ jobs/s | pikku jobs/s | ratio |
| --- | --- | --- | --- | --- | --- |
${table.join('\n')}

![Throughput against concurrency](bench/throughput.svg)
`,
    files: { 'bench/throughput.svg': renderThroughputChart(rows) },
  }
}
