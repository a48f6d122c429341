import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CliError } from '../src/cli-error.js'
import { isInteractive, resolveTarget, takeDefaults, type CliFlags } from '../src/options.js'

const terminal = { stdinIsTTY: true, stdoutIsTTY: true, env: {} }

test('interactive only with a terminal on stdin and stdout', () => {
  assert.equal(isInteractive(false, terminal), true)
  assert.equal(isInteractive(false, { ...terminal, stdinIsTTY: false }), false)
  assert.equal(isInteractive(false, { ...terminal, stdoutIsTTY: false }), false)
})

test('--yes and CI turn prompts off', () => {
  assert.equal(isInteractive(true, terminal), false)
  for (const CI of ['true', '1', 'TRUE']) assert.equal(isInteractive(false, { ...terminal, env: { CI } }), false, CI)
  for (const CI of ['false', '0', '']) assert.equal(isInteractive(false, { ...terminal, env: { CI } }), true, CI)
})

const noFlags: CliFlags = {
  directory: undefined,
  runtime: undefined,
  packageManager: undefined,
  install: undefined,
  yes: true,
  overwrite: false,
  deps: 'vendor',
}

test('defaults: pikku-app, bullmq, the package manager that launched us (with its version), install', () => {
  const options = takeDefaults(noFlags, { npm_config_user_agent: 'pnpm/9.1.0 npm/? node/v20.20.2' }, '/tmp')
  assert.equal(options.projectName, 'pikku-app')
  assert.equal(options.targetDir, 'pikku-app')
  assert.equal(options.runtime.display, 'BullMQ (Redis)')
  assert.deepEqual(options.packageManager, { name: 'pnpm', version: '9.1.0' })
  assert.equal(options.install, true)
  assert.equal(options.renamedFrom, undefined)
})

test('flags win over defaults', () => {
  const options = takeDefaults({ ...noFlags, directory: 'jobs', packageManager: 'pnpm', install: false, deps: 'registry', overwrite: true }, {}, '/tmp')
  assert.deepEqual(
    { ...options, runtime: options.runtime.name },
    { projectName: 'jobs', targetDir: 'jobs', runtime: 'bullmq', packageManager: { name: 'pnpm' }, install: false, deps: 'registry', overwrite: true },
  )
})

test('a folder name npm refuses becomes a valid package name, and says so', () => {
  assert.deepEqual(resolveTarget('Jobs', '/tmp'), { projectName: 'jobs', targetDir: 'Jobs', renamedFrom: 'Jobs' })
  assert.deepEqual(resolveTarget('.', '/tmp/Has Space'), { projectName: 'has-space', targetDir: '.', renamedFrom: 'Has Space' })
  assert.equal(takeDefaults({ ...noFlags, directory: 'My Worker' }, {}, '/tmp').projectName, 'my-worker')
})

test('a name that cannot be made valid is a CliError naming the problem', () => {
  assert.throws(() => resolveTarget('node_modules', '/tmp'), (error: unknown) => {
    assert.ok(error instanceof CliError)
    assert.match(error.message, /Invalid project name "node_modules".*reserved name/)
    return true
  })
  assert.throws(() => resolveTarget('http', '/tmp'), /Node\.js core module/)
})
