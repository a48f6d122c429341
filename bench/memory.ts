// Resident memory of a worker process idle and while it works through many jobs: the generated
// project's compiled server against a raw BullMQ Worker process. Flat means no growth between the
// middle and the end of the run beyond 10%.
import { Queue } from 'bullmq'
import type { BenchSection } from './stats.js'
import { residentMiB, startWorkerProcess, stopWorkerProcess, type Side } from './worker-processes.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const { hostname, port } = new URL(REDIS_URL)
const connection = { host: hostname, port: Number(port || 6379) }
const JOBS = Number(process.env.BENCH_MEMORY_JOBS ?? 100_000)
const CONCURRENCY = 10

interface MemoryProfile {
  idle: number
  half: number
  end: number
}

async function measure(side: Side, app: string): Promise<MemoryProfile> {
  const prefix = `bench-memory-${side}-${process.pid}-${Date.now()}`
  const queue = new Queue('bench-noop', { connection, prefix })
  const worker = await startWorkerProcess(side, { app, queue: 'bench-noop', prefix, concurrency: CONCURRENCY })
  try {
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    const idle = residentMiB(worker)
    const processBatch = async (count: number) => {
      for (let i = 0; i < count; i += 1000) {
        await queue.addBulk(Array.from({ length: 1000 }, (_, j) => ({ name: 'job', data: { i: i + j }, opts: { removeOnComplete: 1000 } })))
      }
      while ((await queue.getJobCountByTypes('waiting', 'active')) > 0) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await processBatch(JOBS / 2)
    const half = residentMiB(worker)
    await processBatch(JOBS / 2)
    return { idle, half, end: residentMiB(worker) }
  } finally {
    await stopWorkerProcess(worker)
    await queue.obliterate({ force: true })
    await queue.close()
  }
}

export async function benchMemory(app: string): Promise<BenchSection> {
  const results = { bullmq: await measure('bullmq', app), pikku: await measure('pikku', app) }
  const row = (label: string, { idle, half, end }: MemoryProfile) =>
    `| ${label} | ${idle.toFixed(1)} | ${half.toFixed(1)} | ${end.toFixed(1)} | ${(((end - half) / half) * 100).toFixed(1)}% |`
  const rows = [row('raw BullMQ Worker process', results.bullmq), row('generated project, compiled', results.pikku)]
  console.log(`memory ${rows.join(' ')}`)
  return {
    title: 'Memory: resident set idle and over many jobs',
    markdown: `RSS in MiB of one worker process (concurrency ${CONCURRENCY}): 2 s after ready, after ${JOBS / 2} no-op jobs, and after
${JOBS}. Growth is from the middle to the end of the run (goal: flat, under 10%); the idle figure of
the generated server against raw BullMQ is what Pikku, its services and its four workers cost.

| process | idle MiB | after ${JOBS / 2} jobs | after ${JOBS} jobs | growth, second half |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
`,
  }
}
