import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CliError } from '../src/cli-error.js'
import type { CliFlags } from '../src/parse-cli-options.js'
import { takeDefaults } from '../src/take-defaults.js'

const noFlags: CliFlags = {
  directory: undefined,
  runtime: undefined,
  packageManager: undefined,
  install: undefined,
  yes: true,
  overwrite: false,
  deps: 'vendor',
}

test('defaults: pikku-app, bullmq, detected package manager, install', () => {
  const options = takeDefaults(noFlags, { npm_config_user_agent: 'pnpm/9.1.0' }, '/tmp')
  assert.equal(options.projectName, 'pikku-app')
  assert.equal(options.targetDir, 'pikku-app')
  assert.equal(options.runtime.display, 'BullMQ (Redis)')
  assert.equal(options.packageManager, 'pnpm')
  assert.equal(options.install, true)
})

test('flags win over defaults', () => {
  const options = takeDefaults({ ...noFlags, directory: 'jobs', packageManager: 'yarn', install: false, deps: 'registry', overwrite: true }, {}, '/tmp')
  assert.deepEqual(
    { ...options, runtime: options.runtime.name },
    { projectName: 'jobs', targetDir: 'jobs', runtime: 'bullmq', packageManager: 'yarn', install: false, deps: 'registry', overwrite: true },
  )
})

test('an invalid name is a CliError naming the problem', () => {
  assert.throws(() => takeDefaults({ ...noFlags, directory: 'Jobs' }, {}, '/tmp'), (error: unknown) => {
    assert.ok(error instanceof CliError)
    assert.match(error.message, /Invalid project name "Jobs".*must be lowercase/)
    return true
  })
  assert.throws(() => takeDefaults({ ...noFlags, directory: '.' }, {}, '/tmp/Has Space'), /must not contain spaces/)
})
