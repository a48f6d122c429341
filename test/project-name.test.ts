import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseNameAndPath, toValidPackageName, validateProjectName } from '../src/project-name.js'

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

test('accepts npm package names, scoped ones included', () => {
  for (const name of ['pikku-app', 'my.worker_2', 'a', '@acme/worker', '@acme/my.worker', 'x'.repeat(214)]) {
    assert.equal(validateProjectName(name), undefined, name)
  }
})

test('says what is wrong with an invalid name', () => {
  const cases: [string, RegExp][] = [
    ['', /must not be empty/],
    ['x'.repeat(215), /214 characters or fewer/],
    ['my app', /must not contain spaces/],
    ['.hidden', /must not start with "\." or "_"/],
    ['_private', /must not start with "\." or "_"/],
    ['MyApp', /must be lowercase/],
    ['@Acme/worker', /must be lowercase/],
    ["it's", /must not contain any of ~'!\(\)\*/],
    ['node_modules', /reserved name/],
    ['http', /Node\.js core module/],
    ['@acme', /@scope\/name/],
    ['@acme/a/b', /@scope\/name/],
    ['a/b', /may only contain letters, digits/],
    ['café', /may only contain letters, digits/],
    ['a#b', /may only contain letters, digits/],
  ]
  for (const [name, message] of cases) assert.match(validateProjectName(name) ?? 'valid', message, name)
})

test('toValidPackageName fixes what create-vite fixes, and the result validates', () => {
  const cases: [string, string][] = [
    ['My App', 'my-app'],
    ['  Spaced   Out ', 'spaced-out'],
    ['.hidden_thing', 'hidden_thing'],
    ['__init', 'init'],
    ['what?is#this', 'what-is-this'],
    ["it's~(mine)", 'it-s-mine-'],
    ['@Acme/My Worker', '@acme/my-worker'],
  ]
  for (const [input, expected] of cases) {
    assert.equal(toValidPackageName(input), expected, input)
    assert.equal(validateProjectName(expected), undefined, expected)
  }
})
