// How fast is codegen? Times the whole `pikku` process (Node start-up, TypeScript load,
// inspection with the type checker, writing .pikku/) on the template and on a generated
// project with 200 functions and 200 wirings, and one watch-mode regeneration after a
// single file changes (the same Generator `pikku --watch` keeps alive).
// `benchCodegen()` returns a section of BENCHMARKS.md; run this file directly to print it.
import { spawnSync } from 'node:child_process'
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Generator, loadConfig } from 'pikku-codegen'
import { formatRounds, summarize, type BenchSection, type Rounds } from './stats.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const CLI = join(ROOT, 'packages', 'codegen', 'dist', 'cli.js')
const ROUNDS = Number(process.env.BENCH_CODEGEN_ROUNDS ?? 5)
const FUNCTIONS = 200
const PER_FILE = 10

interface Measured {
  wall: Rounds
  /** CPU time (user + system) of the process: less disturbed than wall time when other work shares the machine. */
  cpu?: Rounds
}

/** Preloaded into each pikku process: reports its CPU time on exit. */
const REPORT_CPU = `data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('CPU_US '+(u.user+u.system)+'\\n')})`

export async function benchCodegen(): Promise<BenchSection> {
  const template = project((root) => cpSync(join(ROOT, 'templates', 'bullmq'), root, { recursive: true }))
  const large = project(writeLargeProject)
  try {
    const rows = [
      row('template (2 functions, 2 queues), .pikku/ written', wholeProcess(template.root, true)),
      row('template, unchanged (second run)', wholeProcess(template.root, false)),
      row(`${FUNCTIONS} functions + ${FUNCTIONS} wirings, .pikku/ written`, wholeProcess(large.root, true)),
      row(`${FUNCTIONS} functions + ${FUNCTIONS} wirings, unchanged`, wholeProcess(large.root, false)),
      row(`watch mode: regeneration after one file of the ${FUNCTIONS}-function project changes`, watchRegeneration(large.root)),
    ]
    return {
      title: `Codegen: \`pikku\` on the template and on a ${FUNCTIONS}-function project`,
      markdown: `Whole process (\`node dist/cli.js\`: Node start-up, loading TypeScript, reading the project with the
type checker, JSON Schemas, writing \`.pikku/\`), ${ROUNDS} rounds each; "written" removes \`.pikku/\`
before every round. The ${FUNCTIONS}-function project has ${FUNCTIONS / PER_FILE} function files of ${PER_FILE}
functions with object input and output types, and ${FUNCTIONS / PER_FILE} wiring files. The watch-mode row
times the regeneration the \`pikku --watch\` generator does after one function file changes
(an input type edited), in process, excluding the 50 ms debounce.

| run | median ms (min–max) | CPU ms, median (min–max) |
| --- | --- | --- |
${rows.join('\n')}

Load average when measured: ${loadavg().map((l) => l.toFixed(1)).join(', ')} on ${cpus().length} cores. Wall times on a
shared machine vary severalfold with other work; the CPU column (user + system time of the pikku
process) varies much less.
`,
    }
  } finally {
    template.remove()
    large.remove()
  }
}

function row(label: string, { wall, cpu }: Measured): string {
  return `| ${label} | ${formatRounds(wall)} | ${cpu ? formatRounds(cpu) : 'in process'} |`
}

function wholeProcess(root: string, fresh: boolean): Measured {
  const wall: number[] = []
  const cpu: number[] = []
  if (!fresh) runCli(root)
  for (let i = 0; i < ROUNDS; i++) {
    if (fresh) rmSync(join(root, '.pikku'), { recursive: true, force: true })
    const started = performance.now()
    const cpuMs = runCli(root)
    wall.push(performance.now() - started)
    cpu.push(cpuMs)
  }
  return { wall: summarize(wall), cpu: summarize(cpu) }
}

/** Runs pikku once and returns its CPU time in ms. */
function runCli(root: string): number {
  const run = spawnSync(process.execPath, ['--import', REPORT_CPU, CLI], { cwd: root, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`pikku failed in ${root}:\n${run.stdout}${run.stderr}`)
  const micros = /CPU_US (\d+)/.exec(run.stderr)
  if (!micros) throw new Error(`pikku did not report its CPU time:\n${run.stderr}`)
  return Number(micros[1]) / 1000
}

function watchRegeneration(root: string): Measured {
  const generator = new Generator(loadConfig(root))
  generator.run()
  const samples: number[] = []
  const file = join(root, 'src', 'functions-0.ts')
  for (let i = 0; i < ROUNDS; i++) {
    // A new optional input field: the schema, meta and queue map all change.
    appendFileSync(file, `\nexport const extra${i} = pikkuSessionlessFunc<{ id: string; n${i}?: number }, { ok: boolean }>(async () => ({ ok: true }))\n`)
    const started = performance.now()
    generator.run()
    samples.push(performance.now() - started)
  }
  return { wall: summarize(samples) }
}

/** A throwaway project folder with the workspace's node_modules linked in. */
function project(fill: (root: string) => void): { root: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'pikku-bench-'))
  fill(root)
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'))
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) }
}

function writeLargeProject(root: string): void {
  mkdirSync(join(root, 'src'))
  writeFileSync(join(root, 'pikku.config.json'), JSON.stringify({ srcDirectories: ['src'], outDir: '.pikku' }))
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: ['node'], strict: true, skipLibCheck: true, noEmit: true },
      include: ['src', '.pikku'],
    }),
  )
  for (let file = 0; file < FUNCTIONS / PER_FILE; file++) {
    const ids = Array.from({ length: PER_FILE }, (_, i) => `task${file * PER_FILE + i}`)
    const functions = ids.map(
      (id) => `export const ${id} = pikkuSessionlessFunc<{ id: string; count: number; tags: string[]; meta?: { source: 'api' | 'cron'; at: string } }, { ok: boolean; total: number }>(
  async (_services, { count, tags }) => ({ ok: true, total: count + tags.length }),
)`,
    )
    writeFileSync(join(root, 'src', `functions-${file}.ts`), `import { pikkuSessionlessFunc } from '../.pikku/pikku-types.gen.js'\n\n${functions.join('\n\n')}\n`)
    const wirings = ids.map((id) => `wireQueueWorker({ name: '${id}-queue', func: ${id} })`)
    writeFileSync(
      join(root, 'src', `routes-${file}.ts`),
      `import { wireQueueWorker } from '../.pikku/pikku-types.gen.js'\nimport { ${ids.join(', ')} } from './functions-${file}.js'\n\n${wirings.join('\n')}\n`,
    )
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  console.log((await benchCodegen()).markdown)
}
