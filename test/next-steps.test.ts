import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { listNextSteps } from '../src/next-steps.js'
import { findRuntime } from '../src/runtimes.js'
import type { Options } from '../src/options.js'

const options: Options = {
  projectName: 'my-app',
  targetDir: 'my-app',
  runtime: findRuntime('bullmq'),
  packageManager: { name: 'npm' },
  install: true,
  deps: 'vendor',
  overwrite: false,
}
const commands = (overrides: Partial<Options>): string[] => listNextSteps({ ...options, ...overrides }).map((step) => step.command)

test('after an install: cd, Redis, start, enqueue', () => {
  assert.deepEqual(commands({}), ['cd my-app', 'docker compose up -d', 'npm run start', 'npm run enqueue'])
})

test('a skipped install adds the install and codegen commands', () => {
  assert.deepEqual(commands({ install: false, packageManager: { name: 'yarn', version: '1.22.22' } }), [
    'cd my-app',
    'yarn install --ignore-engines',
    'yarn pikku',
    'docker compose up -d',
    'yarn start',
    'yarn enqueue',
  ])
})

test('"." needs no cd, and a path with spaces is quoted', () => {
  assert.deepEqual(commands({ targetDir: '.' })[0], 'docker compose up -d')
  assert.deepEqual(commands({ targetDir: 'my projects/app' })[0], "cd 'my projects/app'")
})

test('the cd step is safe to paste into a shell, whatever the folder is called', () => {
  const work = mkdtempSync(join(tmpdir(), 'next-steps-'))
  try {
    for (const name of ['$(touch pwned)', '`touch pwned`', "it's; touch pwned", 'a b*', '--x']) {
      mkdirSync(join(work, name))
      const cd = commands({ targetDir: name })[0]!
      const pasted = spawnSync('sh', ['-c', `${cd} && pwd`], { cwd: work, encoding: 'utf8' })
      assert.equal(pasted.status, 0, `${cd}: ${pasted.stderr}`)
      assert.equal(pasted.stdout.trim(), join(realpathSync(work), name), cd)
    }
    assert.ok(!existsSync(join(work, 'pwned')), 'no pasted step ran a command')
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
})

test('the Redis step says what it is for', () => {
  const redis = listNextSteps(options).find((step) => step.command === 'docker compose up -d')
  assert.match(redis?.purpose ?? '', /Redis ≥ 6\.2 at REDIS_URL/)
})
