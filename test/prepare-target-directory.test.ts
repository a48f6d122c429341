import assert from 'node:assert/strict'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { describeConflicts, findConflictingEntries, prepareTargetDirectory } from '../src/prepare-target-directory.js'

let tmp: string
before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'prepare-target-'))
})
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true })
})

test('describeConflicts shows up to five entries', () => {
  assert.equal(describeConflicts(['a']), 'a')
  assert.equal(describeConflicts(['a', 'b', 'c', 'd', 'e']), 'a, b, c, d, e')
  assert.equal(describeConflicts(['a', 'b', 'c', 'd', 'e', 'f', 'g']), 'a, b, c, d, e and 2 more')
})

test('findConflictingEntries ignores .git and a missing folder', async () => {
  const dir = path.join(tmp, 'conflicts')
  assert.deepEqual(await findConflictingEntries(dir), [])
  await fs.mkdir(path.join(dir, '.git'), { recursive: true })
  assert.deepEqual(await findConflictingEntries(dir), [])
  await fs.writeFile(path.join(dir, 'b.txt'), '')
  await fs.writeFile(path.join(dir, 'a.txt'), '')
  assert.deepEqual(await findConflictingEntries(dir), ['a.txt', 'b.txt'])
})

test('creates a missing folder, including parents', async () => {
  const dir = path.join(tmp, 'new', 'nested')
  await prepareTargetDirectory(dir, false)
  assert.deepEqual(await fs.readdir(dir), [])
})

test('refuses a non-empty folder without overwrite, and empties it (keeping .git) with it', async () => {
  const dir = path.join(tmp, 'full')
  await fs.mkdir(path.join(dir, '.git'), { recursive: true })
  await fs.mkdir(path.join(dir, 'src'))
  await fs.writeFile(path.join(dir, 'src', 'x.ts'), '')
  await fs.writeFile(path.join(dir, '.env'), 'SECRET=1')

  await assert.rejects(prepareTargetDirectory(dir, false), /is not empty: \.env, src\.\nChoose another directory, or re-run with --overwrite/)
  assert.deepEqual((await fs.readdir(dir)).sort(), ['.env', '.git', 'src'])

  await prepareTargetDirectory(dir, true)
  assert.deepEqual(await fs.readdir(dir), ['.git'])
})

test('a file in the way is an error', async () => {
  const file = path.join(tmp, 'a-file')
  await fs.writeFile(file, '')
  await assert.rejects(prepareTargetDirectory(file, true), /exists and is not a directory/)
})
