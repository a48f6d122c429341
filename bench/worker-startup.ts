// Start to ready: from spawning the worker process to its "Worker server ready" line, for the
// generated project compiled and under tsx, against a raw BullMQ Worker process.
import { formatRounds, summarize, type BenchSection } from './stats.js'
import { startWorkerProcess, stopWorkerProcess, type Side } from './worker-processes.js'

const ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 5)
const SIDES: { side: Side; label: string; goal: string }[] = [
  { side: 'bullmq', label: 'raw BullMQ Worker process (baseline)', goal: '' },
  { side: 'pikku', label: 'generated project, compiled (`node dist/src/start.js`)', goal: 'under 500 ms' },
  { side: 'pikku-tsx', label: 'generated project under tsx (`npm start` without codegen)', goal: 'under 1500 ms' },
]

export async function benchWorkerStartup(app: string): Promise<BenchSection> {
  const times = new Map<Side, number[]>(SIDES.map(({ side }) => [side, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const { side } of round % 2 ? [...SIDES].reverse() : SIDES) {
      const worker = await startWorkerProcess(side, { app, queue: 'bench-noop', prefix: `bench-start-${process.pid}`, concurrency: 1 })
      times.get(side)!.push(worker.readyMs)
      await stopWorkerProcess(worker)
    }
  }
  const base = summarize(times.get('bullmq')!).median
  const rows = SIDES.map(({ side, label, goal }) => {
    const rounds = summarize(times.get(side)!)
    return `| ${label} | ${formatRounds(rounds)} | ${(rounds.median / base).toFixed(2)} | ${goal} |`
  })
  console.log(`startup ${rows.join(' ')}`)
  return {
    title: 'Worker start to ready',
    markdown: `From spawning the process to its ready line (Redis already up), ${ROUNDS} rounds, sides alternating;
ms as median (min–max), and the ratio of medians against the raw BullMQ process. The generated
server also loads its generated meta, builds its services and starts one worker per wired queue (four).

| process | ms to ready | × baseline | goal |
| --- | --- | --- | --- |
${rows.join('\n')}
`,
  }
}
