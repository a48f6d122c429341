// A release as users meet it: the three packages are published with plain `npm publish` to a local
// Verdaccio, then `npm create pikku@latest` runs in an empty folder exactly as a user types it, and
// the new project installs, generates .pikku/, starts and returns a job's result.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { cleanEnv } from './support/clean-env.js'
import { startLocalRegistry, type LocalRegistry } from './support/local-registry.js'
import { deleteKeysWithPrefix } from './support/redis-keys.js'
import { processFirstJob } from './support/worker-server.js'

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..')
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const PREFIX = `registry-${process.pid}-${Date.now()}`

const workspace = mkdtempSync(join(tmpdir(), 'create-pikku-registry-test-'))
let registry: LocalRegistry
let userEnv: NodeJS.ProcessEnv

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 300_000 })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

before(async () => {
  registry = await startLocalRegistry()
  // A release: companions first, create-pikku last (its prepack/prepare build and pack the companions).
  for (const dir of ['packages/codegen', 'packages/bullmq', '.']) {
    const publish = run('npm', ['publish'], join(REPO, dir), cleanEnv(registry.npmEnv))
    assert.equal(publish.status, 0, `npm publish in ${dir}:\n${publish.output}`)
  }
  userEnv = cleanEnv({
    ...registry.npmEnv,
    // This machine's npmrc says yes=false; a user would answer npx's "Ok to proceed?" with y.
    npm_config_yes: 'true',
    // A fresh cache, so npx cannot reuse a create-pikku fetched from an earlier run's registry.
    npm_config_cache: join(workspace, 'npm-cache'),
    CI: 'true',
    REDIS_URL,
    PIKKU_QUEUE_PREFIX: PREFIX,
  })
})

after(async () => {
  await registry?.stop()
  await deleteKeysWithPrefix(REDIS_URL, PREFIX)
  rmSync(workspace, { recursive: true, force: true })
})

describe('npm create pikku@latest from a registry', () => {
  test('the published create-pikku carries the companion tarballs and nothing of the monorepo', () => {
    const latest = run('npm', ['view', 'create-pikku', 'dist-tags.latest'], workspace, userEnv)
    assert.equal(latest.output.trim(), VERSION)
    const packed = run('npm', ['pack', 'create-pikku@latest', '--pack-destination', workspace], workspace, userEnv)
    assert.equal(packed.status, 0, packed.output)
    const files = run('tar', ['-tzf', join(workspace, `create-pikku-${VERSION}.tgz`)], workspace, userEnv).output.trim().split('\n')
    for (const expected of ['package/bin/create-pikku.js', 'package/dist/index.js', 'package/templates/bullmq/src/start.ts', 'package/companions/companions.json', `package/companions/pikku-bullmq-${VERSION}.tgz`, `package/companions/pikku-codegen-${VERSION}.tgz`]) {
      assert.ok(files.includes(expected), `${expected} is published`)
    }
    assert.deepEqual(files.filter((file) => /^package\/(packages|src|test|bench|scripts)\//.test(file)), [], 'no sources, tests or workspaces')
    const view = run('npm', ['view', 'pikku-bullmq', 'version'], workspace, userEnv)
    assert.equal(view.output.trim(), VERSION, 'the companions are published in lockstep')
  })



  test('default (vendored): two tarballs in vendor/, installed, .pikku/ generated, a job processed', async () => {
    const folder = join(workspace, 'vendored')
    const created = run('npm', ['create', 'pikku@latest', 'my-app', '--', '--runtime', 'bullmq', '--yes'], mkdirp(folder), userEnv)
    assert.equal(created.status, 0, created.output)
    const app = join(folder, 'my-app')

    assert.deepEqual(readdirSync(join(app, 'vendor')).sort(), [`pikku-bullmq-${VERSION}.tgz`, `pikku-codegen-${VERSION}.tgz`])
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'))
    assert.equal(manifest.dependencies['pikku-bullmq'], `file:vendor/pikku-bullmq-${VERSION}.tgz`)
    assert.equal(manifest.devDependencies['pikku-codegen'], `file:vendor/pikku-codegen-${VERSION}.tgz`)
    assert.ok(existsSync(join(app, '.pikku', 'pikku-bootstrap.gen.ts')), 'codegen ran')

    const output = await processFirstJob('npm', 'vendored', { cwd: app, env: userEnv })
    assert.match(output, /Hello, vendored!/)
  })

  test('--deps registry: semver ranges of this release, installed from the registry npm points at, a job processed', async () => {
    const folder = join(workspace, 'registry')
    const created = run('npm', ['create', 'pikku@latest', 'my-app', '--', '--runtime', 'bullmq', '--yes', '--deps', 'registry'], mkdirp(folder), userEnv)
    assert.equal(created.status, 0, created.output)
    const app = join(folder, 'my-app')

    assert.equal(existsSync(join(app, 'vendor')), false)
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'))
    assert.equal(manifest.dependencies['pikku-bullmq'], `^${VERSION}`)
    assert.equal(manifest.devDependencies['pikku-codegen'], `^${VERSION}`)
    for (const name of ['pikku-bullmq', 'pikku-codegen']) {
      const installed = JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8'))
      assert.equal(installed.version, VERSION, `${name} installed from the registry`)
    }
    assert.ok(existsSync(join(app, '.pikku', 'pikku-bootstrap.gen.ts')), 'codegen ran')

    const output = await processFirstJob('npm', 'registry', { cwd: app, env: userEnv })
    assert.match(output, /Hello, registry!/)
  })
})

function mkdirp(dir: string): string {
  mkdirSync(dir, { recursive: true })
  return dir
}
