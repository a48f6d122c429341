import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  detectPackageManager,
  formatCommand,
  installCommand,
  installEnvironment,
  isYarnBerry,
  packageManagerFiles,
  runPrefix,
  runScriptCommand,
} from '../src/package-managers.js'

const npm = { name: 'npm' } as const
const pnpm = { name: 'pnpm', version: '9.15.0' } as const
const yarn1 = { name: 'yarn', version: '1.22.22' } as const
const yarn4 = { name: 'yarn', version: '4.9.1' } as const

test('reads the package manager and its version from npm_config_user_agent', () => {
  assert.deepEqual(detectPackageManager('npm/11.19.1 node/v20.20.2 linux x64 workspaces/false'), { name: 'npm', version: '11.19.1' })
  assert.deepEqual(detectPackageManager('pnpm/9.1.0 npm/? node/v20.20.2 linux x64'), { name: 'pnpm', version: '9.1.0' })
  assert.deepEqual(detectPackageManager('yarn/4.9.1 npm/? node/v20.20.2 linux x64'), yarn4)
})

test('falls back to npm when unset or unsupported', () => {
  for (const agent of [undefined, '', 'bun/1.2.0 npm/? node/v22.0.0', 'garbage']) {
    assert.deepEqual(detectPackageManager(agent), { name: 'npm' }, String(agent))
  }
})

test('yarn 2+ is told apart from yarn 1; an unknown yarn is taken for yarn 1', () => {
  assert.equal(isYarnBerry(yarn4), true)
  assert.equal(isYarnBerry({ name: 'yarn', version: '2.4.3' }), true)
  assert.equal(isYarnBerry(yarn1), false)
  assert.equal(isYarnBerry({ name: 'yarn' }), false)
  assert.equal(isYarnBerry(pnpm), false)
})

test('install commands: yarn 1 must ignore @pikku/core engines, yarn 2+ rejects that flag', () => {
  assert.equal(formatCommand(installCommand(npm)), 'npm install --no-audit --no-fund')
  assert.equal(formatCommand(installCommand(pnpm)), 'pnpm install')
  assert.equal(formatCommand(installCommand(yarn1)), 'yarn install --ignore-engines')
  assert.equal(formatCommand(installCommand(yarn4)), 'yarn install')
})

test('yarn 2+ gets a node_modules linker, its own lockfile and a mutable first install', () => {
  assert.deepEqual(packageManagerFiles(yarn4), { '.yarnrc.yml': 'nodeLinker: node-modules\n', 'yarn.lock': '' })
  assert.deepEqual(installEnvironment(yarn4), { YARN_ENABLE_IMMUTABLE_INSTALLS: 'false' })
  for (const other of [npm, pnpm, yarn1]) {
    assert.deepEqual(packageManagerFiles(other), {})
    assert.deepEqual(installEnvironment(other), {})
  }
})

test('script commands and their prefixes', () => {
  assert.deepEqual(runScriptCommand(npm, 'pikku'), { command: 'npm', args: ['run', 'pikku'] })
  assert.deepEqual(runScriptCommand(pnpm, 'pikku'), { command: 'pnpm', args: ['run', 'pikku'] })
  assert.deepEqual(runScriptCommand(yarn4, 'pikku'), { command: 'yarn', args: ['pikku'] })
  assert.deepEqual([npm, pnpm, yarn1].map(runPrefix), ['npm run', 'pnpm run', 'yarn'])
})

test('formatCommand quotes arguments with spaces', () => {
  assert.equal(formatCommand({ command: 'npm', args: ['pack', '--pack-destination', '/tmp/my dir/vendor'] }), 'npm pack --pack-destination "/tmp/my dir/vendor"')
})
