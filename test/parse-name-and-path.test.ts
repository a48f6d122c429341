import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseNameAndPath } from '../src/parse-name-and-path.js'

const cwd = '/home/me/code/current-dir'

test('the package name is the base name of the directory', () => {
  assert.deepEqual(parseNameAndPath('my-app', cwd), { projectName: 'my-app', targetDir: 'my-app' })
  assert.deepEqual(parseNameAndPath('apps/worker/', cwd), { projectName: 'worker', targetDir: 'apps/worker' })
  assert.deepEqual(parseNameAndPath('  /tmp/x/job-runner  ', cwd), { projectName: 'job-runner', targetDir: '/tmp/x/job-runner' })
  assert.deepEqual(parseNameAndPath('../sibling', cwd), { projectName: 'sibling', targetDir: '../sibling' })
})

test('"." (or nothing) is the current directory, named after it', () => {
  assert.deepEqual(parseNameAndPath('.', cwd), { projectName: 'current-dir', targetDir: '.' })
  assert.deepEqual(parseNameAndPath('./', cwd), { projectName: 'current-dir', targetDir: '.' })
  assert.deepEqual(parseNameAndPath('', cwd), { projectName: 'current-dir', targetDir: '.' })
})

test('a trailing @scope/name is a scoped package created in the folder "name"', () => {
  assert.deepEqual(parseNameAndPath('@acme/worker', cwd), { projectName: '@acme/worker', targetDir: 'worker' })
  assert.deepEqual(parseNameAndPath('apps/@acme/worker', cwd), { projectName: '@acme/worker', targetDir: 'apps/worker' })
})

test('names are returned as given, for validation to judge', () => {
  assert.equal(parseNameAndPath('My App', cwd).projectName, 'My App')
  assert.equal(parseNameAndPath('@acme', cwd).projectName, '@acme')
})
