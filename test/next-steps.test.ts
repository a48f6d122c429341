import assert from 'node:assert/strict'
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
  assert.deepEqual(commands({ targetDir: 'my projects/app' })[0], 'cd "my projects/app"')
})

test('the Redis step says what it is for', () => {
  const redis = listNextSteps(options).find((step) => step.command === 'docker compose up -d')
  assert.match(redis?.purpose ?? '', /Redis ≥ 6\.2 at REDIS_URL/)
})
