// Where the per-job time goes: both worker processes run 20 000 no-op jobs at concurrency 10 under
// `--cpu-prof`, and their CPU time is split by the code it was spent in, per job.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Queue } from 'bullmq'
import type { BenchSection } from './stats.js'
import { startWorkerProcess, stopWorkerProcess, type Side } from './worker-processes.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const { hostname, port } = new URL(REDIS_URL)
const JOBS = 20_000

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string }
  children?: number[]
}

/** The part of the stack a sample's self time belongs to. */
function componentOf({ callFrame: { functionName, url } }: ProfileNode): string {
  if (functionName === '(garbage collector)') return 'garbage collection'
  if (functionName === '(idle)' || functionName === '(program)') return 'idle'
  const library = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1]
  if (library === '@pikku/core') return '@pikku/core (runPikkuFunc, middleware, permissions)'
  if (library === 'pikku-bullmq') return 'pikku-bullmq'
  if (library === 'ajv' || url.includes('/.pikku/')) return 'input validation (ajv, generated code)'
  if (library === 'prom-client' || library === 'express') return 'monitoring server (prom-client, express)'
  if (library === 'bullmq' || library === 'ioredis' || library === 'msgpackr') return 'bullmq + ioredis'
  if (url.startsWith('file://') && !library) return 'the job function and app code'
  return 'Node.js (sockets, timers, promises)'
}

async function profile(side: Side, app: string): Promise<Map<string, number>> {
  const prefix = `bench-profile-${side}-${process.pid}-${Date.now()}`
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-profile-'))
  const queue = new Queue('bench-noop', { connection: { host: hostname, port: Number(port || 6379) }, prefix })
  await queue.pause()
  for (let i = 0; i < JOBS; i += 1000) {
    await queue.addBulk(Array.from({ length: 1000 }, (_, j) => ({ name: 'job', data: { i: i + j }, opts: { removeOnComplete: 1000 } })))
  }
  const worker = await startWorkerProcess(side, { app, queue: 'bench-noop', prefix, concurrency: 10, nodeOptions: ['--cpu-prof', `--cpu-prof-dir=${dir}`] })
  await queue.resume()
  while ((await queue.getJobCountByTypes('waiting', 'active')) > 0) await new Promise((resolve) => setTimeout(resolve, 20))
  await stopWorkerProcess(worker)
  await queue.obliterate({ force: true })
  await queue.close()
  const [file] = readdirSync(dir)
  const cpu = JSON.parse(readFileSync(path.join(dir, file!), 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }
  rmSync(dir, { recursive: true, force: true })
  const nodes = new Map(cpu.nodes.map((node) => [node.id, node]))
  const parents = new Map(cpu.nodes.flatMap((node) => (node.children ?? []).map((child) => [child, node.id] as const)))
  const inJobLoop = (id: number | undefined): boolean =>
    id !== undefined && (nodes.get(id)!.callFrame.functionName === 'moveToFinished' || inJobLoop(parents.get(id)))
  // Start-up is left out: the window opens at the first sample inside BullMQ's completion of a job.
  const firstJob = cpu.samples.findIndex((id) => inJobLoop(id))
  const byComponent = new Map<string, number>()
  cpu.samples.forEach((id, index) => {
    if (index < firstJob) return
    const component = componentOf(nodes.get(id)!)
    byComponent.set(component, (byComponent.get(component) ?? 0) + (cpu.timeDeltas[index] ?? 0))
  })
  return byComponent
}

export async function benchPerJobProfile(app: string): Promise<BenchSection> {
  const raw = await profile('bullmq', app)
  const pikku = await profile('pikku', app)
  const components = [...new Set([...raw.keys(), ...pikku.keys()])].filter((name) => name !== 'idle')
  const perJob = (profile: Map<string, number>, name: string) => (profile.get(name) ?? 0) / JOBS
  const rows = components
    .map((name) => ({ name, raw: perJob(raw, name), pikku: perJob(pikku, name) }))
    .sort((a, b) => b.pikku - b.raw - (a.pikku - a.raw))
  const total = (side: 'raw' | 'pikku') => rows.reduce((sum, row) => sum + row[side], 0)
  const table = rows.map(({ name, raw, pikku }) => `| ${name} | ${raw.toFixed(1)} | ${pikku.toFixed(1)} | ${(pikku - raw).toFixed(1)} |`)
  console.log(`profile: raw ${total('raw').toFixed(1)} µs/job, pikku ${total('pikku').toFixed(1)} µs/job`)
  return {
    title: 'Where the per-job time goes (CPU profile)',
    markdown: `Each side runs ${JOBS} pre-loaded no-op jobs at concurrency 10 under \`node --cpu-prof\` (one run each),
and its CPU time from the first completed job on (start-up and idle left out) is split by the code it
was spent in: µs of CPU per job. The rows that differ are the cost of the Pikku path. Time is charged
to the code that was running when sampled, so garbage collection work done during an allocation counts
under the code that allocated.

| spent in | raw BullMQ µs/job | pikku µs/job | difference |
| --- | --- | --- | --- |
${table.join('\n')}
| **total** | **${total('raw').toFixed(1)}** | **${total('pikku').toFixed(1)}** | **${(total('pikku') - total('raw')).toFixed(1)}** |
`,
  }
}
