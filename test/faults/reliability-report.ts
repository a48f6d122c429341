// Collects each fault scenario's figures and, when run as `npm run test:faults`, writes
// RELIABILITY.md from them with the machine and versions, as BENCHMARKS.md is written.
import { execSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'

export interface ScenarioResult {
  scenario: string
  added: number
  completed: number
  failed?: number
  lost: number
  duplicated: number
  /** Recovery or reaction time, with what it measures. */
  timing?: string
  notes?: string
}

const results: ScenarioResult[] = []

export function record(result: ScenarioResult): void {
  results.push(result)
  console.log(`fault scenario: ${JSON.stringify(result)}`)
}

export function writeReliabilityReport(): void {
  if (process.env.npm_lifecycle_event !== 'test:faults' || results.length === 0) return
  const version = (name: string) => (JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version
  const redis = execSync('redis-server --version', { encoding: 'utf8' }).match(/v=(\S+)/)?.[1] ?? 'unknown'
  const rows = results.map(
    (r) => `| ${r.scenario} | ${r.added} | ${r.completed} | ${r.failed ?? 0} | ${r.lost} | ${r.duplicated} | ${r.timing ?? ''} | ${r.notes ?? ''} |`,
  )
  writeFileSync(
    new URL('../../RELIABILITY.md', import.meta.url),
    `# Reliability

Written by \`npm run test:faults\` (test/faults/) on ${new Date().toISOString().slice(0, 10)} at commit ${execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim()}.
Every scenario runs the generated project's compiled server (\`node dist/src/start.js\`, template
defaults) as real processes against a redis-server of the suite's own (append-only file, fsync on every
write), and counts every job: each completed run is appended to a ledger file by the job's function.
Lost = added but never completed; duplicated = completed more than once.

| scenario | added | completed | failed | lost | duplicated | timing | notes |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM. Node ${process.version}, Redis ${redis},
bullmq ${version('bullmq')}, @pikku/core ${version('@pikku/core')}.
`,
  )
}
