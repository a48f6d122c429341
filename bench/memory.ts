// Resident memory of a worker process idle and while it works through many jobs: the generated
// project's compiled server against a raw BullMQ Worker process. Flat means the peak of the second
// half of the run is no more than 10% above the peak of the first half.
import { Queue } from 'bullmq'
import type { BenchSection } from './stats.js'
import { residentMiB, startWorkerProcess, stopWorkerProcess, type Side } from './worker-processes.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const { hostname, port } = new URL(REDIS_URL)
const connection = { host: hostname, port: Number(port || 6379) }
const JOBS = Number(process.env.BENCH_MEMORY_JOBS ?? 100_000)
const CONCURRENCY = 10
const BATCHES = 10

interface MemoryProfile {
  idle: number
  /** Highest RSS seen after each batch of the first half of the jobs, and of the second. */
  firstHalfPeak: number
  secondHalfPeak: number
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
    // RSS rises and falls with each full garbage collection, so one reading can land anywhere in
    // that cycle; a leak shows as peaks that keep rising.
    const samples: number[] = []
    for (let batch = 0; batch < BATCHES; batch++) {
      await processBatch(JOBS / BATCHES)
      samples.push(residentMiB(worker))
    }
    return { idle, firstHalfPeak: Math.max(...samples.slice(0, BATCHES / 2)), secondHalfPeak: Math.max(...samples.slice(BATCHES / 2)) }
  } finally {
    await stopWorkerProcess(worker)
    await queue.obliterate({ force: true })
    await queue.close()
  }
}

export async function benchMemory(app: string): Promise<BenchSection> {
  const results = { bullmq: await measure('bullmq', app), pikku: await measure('pikku', app) }
  const row = (label: string, { idle, firstHalfPeak, secondHalfPeak }: MemoryProfile) =>
    `| ${label} | ${idle.toFixed(1)} | ${firstHalfPeak.toFixed(1)} | ${secondHalfPeak.toFixed(1)} | ${(((secondHalfPeak - firstHalfPeak) / firstHalfPeak) * 100).toFixed(1)}% |`
  const rows = [row('raw BullMQ Worker process', results.bullmq), row('generated project, compiled', results.pikku)]
  console.log(`memory ${rows.join(' ')}`)
  return {
    title: 'Memory: resident set idle and over many jobs',
    markdown: `RSS in MiB of one worker process (concurrency ${CONCURRENCY}): 2 s after ready, then read after every
${JOBS / BATCHES} of ${JOBS} no-op jobs. RSS rises and falls with each full garbage collection, so the
highest reading of the first half of the run is compared with the highest of the second (goal: flat,
under 10% growth). The idle figure of the generated server against raw BullMQ is what Pikku, its
services and its four workers cost.

| process | idle MiB | peak, first ${JOBS / 2} jobs | peak, second ${JOBS / 2} jobs | growth |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
`,
  }
}
