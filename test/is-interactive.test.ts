import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isInteractive } from '../src/is-interactive.js'

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
