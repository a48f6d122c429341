import assert from 'node:assert/strict'
import { test } from 'node:test'
import { validateProjectName } from '../src/validate-project-name.js'

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
