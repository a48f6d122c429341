import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatCommand, installCommand, runPrefix, runScriptCommand } from '../src/package-managers.js'

test('install commands; yarn 1 must ignore @pikku/core engines', () => {
  assert.equal(formatCommand(installCommand('npm')), 'npm install --no-audit --no-fund')
  assert.equal(formatCommand(installCommand('pnpm')), 'pnpm install')
  assert.equal(formatCommand(installCommand('yarn')), 'yarn install --ignore-engines')
})

test('script commands and their prefixes', () => {
  assert.deepEqual(runScriptCommand('npm', 'pikku'), { command: 'npm', args: ['run', 'pikku'] })
  assert.deepEqual(runScriptCommand('pnpm', 'pikku'), { command: 'pnpm', args: ['run', 'pikku'] })
  assert.deepEqual(runScriptCommand('yarn', 'pikku'), { command: 'yarn', args: ['pikku'] })
  assert.deepEqual(['npm', 'pnpm', 'yarn'].map((pm) => runPrefix(pm as 'npm')), ['npm run', 'pnpm run', 'yarn'])
})

test('formatCommand quotes arguments with spaces', () => {
  assert.equal(formatCommand({ command: 'npm', args: ['pack', '--pack-destination', '/tmp/my dir/vendor'] }), 'npm pack --pack-destination "/tmp/my dir/vendor"')
})
