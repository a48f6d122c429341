// `npm run bench`: runs every benchmark, each against a baseline measured in the same run, and
// writes BENCHMARKS.md with the machine and the versions it ran on.
import { execSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { Redis } from 'ioredis'
import { createBenchProject } from './bench-project.js'
import { benchOutOfBoxThroughput } from './out-of-box-throughput.js'
import { benchPerJobProfile } from './per-job-profile.js'
import { benchAllocation } from './allocation.js'
import { benchCodegen } from './codegen.js'
import { benchCoreRunner } from './core-runner.js'
import { benchEnqueueThroughput } from './enqueue-throughput.js'
import { benchLatency } from './latency.js'
import { benchMemory } from './memory.js'
import { benchMetricsScrape } from './metrics-scrape.js'
import { benchScaffold } from './scaffold.js'
import { benchTracingOverhead } from './tracing-overhead.js'
import type { BenchSection } from './stats.js'
import { benchWorkerStartup } from './worker-startup.js'
import { benchWorkflowSteps } from './workflow-steps.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

const app = createBenchProject()
const sections: BenchSection[] = []
const benches: Array<() => Promise<BenchSection>> = [
  benchScaffold,
  () => benchOutOfBoxThroughput(app),
  () => benchTracingOverhead(app),
  () => benchPerJobProfile(app),
  () => benchCoreRunner(app),
  () => benchAllocation(app),
  () => benchLatency(app),
  () => benchEnqueueThroughput(app),
  () => benchWorkerStartup(app),
  () => benchMemory(app),
  () => benchWorkflowSteps(app),
  benchMetricsScrape,
  benchCodegen,
]
for (const bench of benches) {
  const section = await bench()
  sections.push(section)
  for (const [file, content] of Object.entries(section.files ?? {})) writeFileSync(new URL(`../${file}`, import.meta.url), content)
}

const version = (pkg: string) => (JSON.parse(readFileSync(new URL(`../node_modules/${pkg}/package.json`, import.meta.url), 'utf8')) as { version: string }).version
const redis = new Redis(REDIS_URL)
const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown'
await redis.quit()
const commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim()

writeFileSync(
  new URL('../BENCHMARKS.md', import.meta.url),
  `# Benchmarks

Written by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)} at commit ${commit}. Every
figure is a ratio against a baseline measured in the same run, with the spread of the rounds
(min–max); on a shared VM absolute numbers move by ±30%, so compare ratios.

Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Redis ${redisVersion} on
127.0.0.1 (same host). Node ${process.version}, npm ${execSync('npm --version', { encoding: 'utf8' }).trim()}, bullmq ${version('bullmq')},
ioredis ${version('ioredis')}, @pikku/core ${version('@pikku/core')}.

${sections.map(({ title, markdown }) => `## ${title}\n\n${markdown}`).join('\n')}`,
)
console.log(`BENCHMARKS.md written (${commit})`)
