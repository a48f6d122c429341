import assert from 'node:assert/strict'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { describeConflicts, findConflictingEntries, overwriteRefusal, prepareTargetDirectory } from '../src/target-directory.js'

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
  await prepareTargetDirectory(dir, { overwrite: false, cwd: tmp })
  assert.deepEqual(await fs.readdir(dir), [])
})

test('refuses a non-empty folder without overwrite, and empties it (keeping .git) with it', async () => {
  const dir = path.join(tmp, 'full')
  await fs.mkdir(path.join(dir, '.git'), { recursive: true })
  await fs.mkdir(path.join(dir, 'src'))
  await fs.writeFile(path.join(dir, 'src', 'x.ts'), '')
  await fs.writeFile(path.join(dir, '.env'), 'SECRET=1')

  await assert.rejects(prepareTargetDirectory(dir, { overwrite: false, cwd: tmp }), /is not empty: \.env, src\.\nChoose another directory, or re-run with --overwrite/)
  assert.deepEqual((await fs.readdir(dir)).sort(), ['.env', '.git', 'src'])

  await prepareTargetDirectory(dir, { overwrite: true, cwd: tmp })
  assert.deepEqual(await fs.readdir(dir), ['.git'])
})

test('a file in the way is an error', async () => {
  const file = path.join(tmp, 'a-file')
  await fs.writeFile(file, '')
  await assert.rejects(prepareTargetDirectory(file, { overwrite: true, cwd: tmp }), /exists and is not a directory/)
})

test('never empties the current folder or a folder that contains it', async () => {
  const dir = path.join(tmp, 'here')
  await fs.mkdir(path.join(dir, 'inner'), { recursive: true })
  await fs.writeFile(path.join(dir, 'keep.txt'), 'mine')

  await assert.rejects(prepareTargetDirectory(dir, { overwrite: true, cwd: dir }), /Refusing to empty ".*here": it is the current folder/)
  await assert.rejects(prepareTargetDirectory(dir, { overwrite: true, cwd: path.join(dir, 'inner') }), /it contains the current folder/)
  assert.deepEqual((await fs.readdir(dir)).sort(), ['inner', 'keep.txt'])

  assert.equal(overwriteRefusal(path.join(dir, 'inner'), dir), undefined, 'a child of the current folder may be emptied')
  assert.equal(overwriteRefusal(path.join(tmp, 'here-too'), dir), undefined, 'a sibling whose name merely starts the same may be emptied')
})

test('an empty current folder is fine: nothing needs emptying', async () => {
  const dir = path.join(tmp, 'empty-here')
  await fs.mkdir(path.join(dir, '.git'), { recursive: true })
  await prepareTargetDirectory(dir, { overwrite: true, cwd: dir })
  assert.deepEqual(await fs.readdir(dir), ['.git'])
})
