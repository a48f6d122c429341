import assert from 'node:assert/strict'
import { test } from 'node:test'
import { detectPackageManager } from '../src/detect-package-manager.js'

test('reads the package manager from the first token of npm_config_user_agent', () => {
  assert.equal(detectPackageManager('npm/11.19.1 node/v20.20.2 linux x64 workspaces/false'), 'npm')
  assert.equal(detectPackageManager('pnpm/9.1.0 npm/? node/v20.20.2 linux x64'), 'pnpm')
  assert.equal(detectPackageManager('yarn/1.22.22 npm/? node/v20.20.2 linux x64'), 'yarn')
})

test('falls back to npm when unset or unsupported', () => {
  assert.equal(detectPackageManager(undefined), 'npm')
  assert.equal(detectPackageManager(''), 'npm')
  assert.equal(detectPackageManager('bun/1.2.0 npm/? node/v22.0.0'), 'npm')
  assert.equal(detectPackageManager('garbage'), 'npm')
})
