// A project as `create-pikku --yes` makes it (vendored companions, npm install, codegen), plus two
// bench queues, compiled with the project's own `npm run build`. Benchmarks run its compiled
// server with the template's defaults: what a user deploys.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { cleanEnv } from '../test/support/clean-env.js'

const REPO = path.resolve(fileURLToPath(new URL('..', import.meta.url)))

const BENCH_FUNCTIONS = `import { setTimeout as sleep } from 'node:timers/promises'
import { pikkuSessionlessFunc } from '../.pikku/pikku-types.gen.js'

/** The same no-op work as the raw BullMQ baseline. */
export const benchNoop = pikkuSessionlessFunc<{ i: number }, { ok: boolean }>(async () => ({ ok: true }))

/** One millisecond of waiting, standing in for a database or API call. */
export const benchIo = pikkuSessionlessFunc<{ i: number }, { ok: boolean }>(async () => {
  await sleep(1)
  return { ok: true }
})
`

const BENCH_ROUTES = `import { wireQueueWorker } from '../.pikku/pikku-types.gen.js'
import { benchIo, benchNoop } from './bench.functions.js'

const batchSize = Number(process.env.BENCH_CONCURRENCY ?? 1)
wireQueueWorker({ name: 'bench-noop', func: benchNoop, config: { batchSize } })
wireQueueWorker({ name: 'bench-io', func: benchIo, config: { batchSize } })
`

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, env: cleanEnv({ CI: 'true' }), encoding: 'utf8', timeout: 600_000 })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${result.stdout}${result.stderr}`)
}

/** Scaffolds, installs and builds the bench project; returns its folder. */
export function createBenchProject(): string {
  const workspace = mkdtempSync(path.join(tmpdir(), 'bench-project-'))
  run(process.execPath, [path.join(REPO, 'bin', 'create-pikku.js'), 'app', '--yes'], workspace)
  const app = path.join(workspace, 'app')
  writeFileSync(path.join(app, 'src', 'bench.functions.ts'), BENCH_FUNCTIONS)
  writeFileSync(path.join(app, 'src', 'bench.routes.ts'), BENCH_ROUTES)
  run('npm', ['run', 'build'], app)
  return app
}
