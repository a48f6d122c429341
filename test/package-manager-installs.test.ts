// A generated project installed for real with pnpm, yarn 1 and yarn 4 (npm is covered by the
// end-to-end and registry tests): each installs the vendored companions, generates .pikku/, and
// processes a first job through its own `start` and `enqueue` scripts. The package managers come
// from the npm registry into a cache folder outside the repository (corepack cannot fetch yarn 2+
// here, and needs its signature check switched off for the rest).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { after, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { installCachedTool } from './support/cached-tool.js'
import { cleanEnv } from './support/clean-env.js'
import { deleteKeysWithPrefix } from './support/redis-keys.js'
import { processFirstJob } from './support/worker-server.js'

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..')
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const PREFIX = `pm-${process.pid}-${Date.now()}`
const workspace = mkdtempSync(join(tmpdir(), 'create-pikku-pm-'))

after(async () => {
  await deleteKeysWithPrefix(REDIS_URL, PREFIX)
  rmSync(workspace, { recursive: true, force: true })
})

const CASES = [
  { label: 'pnpm 9', name: 'pnpm', tool: 'pnpm-9.15.0', dependencies: { pnpm: '9.15.0' }, lockfile: 'pnpm-lock.yaml', version: '9.15.0' },
  { label: 'yarn 1', name: 'yarn', tool: 'yarn-1.22.22', dependencies: { yarn: '1.22.22' }, lockfile: 'yarn.lock', version: '1.22.22' },
  { label: 'yarn 4', name: 'yarn', tool: 'yarn-4.9.1', dependencies: { '@yarnpkg/cli-dist': '4.9.1' }, lockfile: 'yarn.lock', version: '4.9.1' },
] as const

describe('real installs with pnpm and yarn', () => {
  for (const { label, name, tool, dependencies, lockfile, version } of CASES) {
    test(`${label}: scaffolds, installs, generates .pikku/ and processes a job with its own scripts`, async () => {
      const bin = installCachedTool(tool, { dependencies })
      const env = cleanEnv({
        PATH: `${bin}${delimiter}${process.env.PATH}`,
        CI: 'true',
        REDIS_URL,
        PIKKU_QUEUE_PREFIX: PREFIX,
        // Yarn 1 caches a file: tarball by name and version, so an earlier run's build of the same
        // version would be installed instead of this one's.
        YARN_CACHE_FOLDER: join(workspace, `${tool}-cache`),
      })
      assert.ok(spawnSync(name, ['--version'], { env, encoding: 'utf8' }).stdout.startsWith(version), `${name} on PATH is ${label}`)

      const app = join(workspace, tool)
      const created = spawnSync(process.execPath, [join(REPO, 'bin', 'create-pikku.js'), app, '--yes', '--package-manager', name], {
        env,
        encoding: 'utf8',
        timeout: 300_000,
      })
      assert.equal(created.status, 0, `${created.stdout}${created.stderr}`)
      assert.ok(readFileSync(join(app, lockfile), 'utf8').length > 0, `${lockfile} written by the install`)
      for (const companion of ['pikku-bullmq', 'pikku-codegen']) {
        assert.ok(existsSync(join(app, 'node_modules', companion, 'dist', 'index.js')), `${companion} installed from vendor/`)
      }
      assert.ok(existsSync(join(app, '.pikku', 'pikku-bootstrap.gen.ts')), 'codegen ran')

      const output = await processFirstJob(name, label.replace(' ', '-'), { cwd: app, env })
      assert.match(output, new RegExp(`Hello, ${label.replace(' ', '-')}!`))
    })
  }
})
