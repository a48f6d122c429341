import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { COMPANIONS_DIR, findCompanions, registryRanges, setDependencySpecs, vendorCompanions } from '../src/companions.js'

let tmp: string
before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'companions-'))
})
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true })
})

const PACKED = [
  { name: 'pikku-codegen', version: '1.2.0', tarball: 'pikku-codegen-1.2.0.tgz' },
  { name: 'pikku-bullmq', version: '1.2.0', tarball: 'pikku-bullmq-1.2.0.tgz' },
]

async function makeCompanionsDir(name: string, tarballs: string[]): Promise<string> {
  const dir = path.join(tmp, name)
  await fs.mkdir(dir)
  await fs.writeFile(path.join(dir, 'companions.json'), JSON.stringify(PACKED))
  for (const tarball of tarballs) await fs.writeFile(path.join(dir, tarball), `bytes of ${tarball}`)
  return dir
}

test('findCompanions returns the packages a runtime asks for, in its order', async () => {
  const dir = await makeCompanionsDir('complete', ['pikku-codegen-1.2.0.tgz', 'pikku-bullmq-1.2.0.tgz'])
  assert.deepEqual(await findCompanions(['pikku-bullmq', 'pikku-codegen'], dir), [PACKED[1], PACKED[0]])
})

test('a missing manifest, package or tarball says how to get them', async () => {
  await assert.rejects(findCompanions(['pikku-codegen'], path.join(tmp, 'nowhere')), /companions\.json does not exist\. In a clone of create-pikku, run `npm install`/)
  const partial = await makeCompanionsDir('partial', ['pikku-codegen-1.2.0.tgz'])
  await assert.rejects(findCompanions(['pikku-codegen', 'pikku-bullmq'], partial), /The companion package pikku-bullmq is missing from .*partial\. In a clone/)
  await assert.rejects(findCompanions(['pikku-other'], partial), /pikku-other is missing/)
})

test('vendorCompanions copies the tarballs into vendor/ and returns file: specs', async () => {
  const dir = await makeCompanionsDir('to-vendor', ['pikku-codegen-1.2.0.tgz', 'pikku-bullmq-1.2.0.tgz'])
  const target = path.join(tmp, 'project')
  const specs = await vendorCompanions(PACKED, target, dir)
  assert.deepEqual(specs, new Map([['pikku-codegen', 'file:vendor/pikku-codegen-1.2.0.tgz'], ['pikku-bullmq', 'file:vendor/pikku-bullmq-1.2.0.tgz']]))
  assert.deepEqual((await fs.readdir(path.join(target, 'vendor'))).sort(), ['pikku-bullmq-1.2.0.tgz', 'pikku-codegen-1.2.0.tgz'])
  assert.equal(await fs.readFile(path.join(target, 'vendor', 'pikku-bullmq-1.2.0.tgz'), 'utf8'), 'bytes of pikku-bullmq-1.2.0.tgz')
})

test('registryRanges are caret ranges of the released version', () => {
  assert.deepEqual(registryRanges(PACKED), new Map([['pikku-codegen', '^1.2.0'], ['pikku-bullmq', '^1.2.0']]))
})

test('setDependencySpecs rewrites the entry where the template lists it', async () => {
  const file = path.join(tmp, 'package.json')
  await fs.writeFile(file, JSON.stringify({ name: 'x', dependencies: { a: '^0.0.0', keep: '1.0.0' }, devDependencies: { b: '*' } }))
  await setDependencySpecs(file, new Map([['a', 'file:vendor/a-1.0.0.tgz'], ['b', '^2.0.0']]))
  assert.equal(
    await fs.readFile(file, 'utf8'),
    `${JSON.stringify({ name: 'x', dependencies: { a: 'file:vendor/a-1.0.0.tgz', keep: '1.0.0' }, devDependencies: { b: '^2.0.0' } }, null, 2)}\n`,
  )
  await assert.rejects(setDependencySpecs(file, new Map([['absent', '^1.0.0']])), /does not list absent in dependencies or devDependencies/)
})

// The real companions/, packed by `prepare`: tsc -b leaves the output of a deleted source in dist/.
test('the packed companions hold compiled code for their current sources only', async () => {
  for (const { name, tarball } of await findCompanions(['pikku-codegen', 'pikku-bullmq'])) {
    const packageDir = path.join(COMPANIONS_DIR, '..', 'packages', name === 'pikku-codegen' ? 'codegen' : 'bullmq')
    const compiled = execFileSync('tar', ['tzf', path.join(COMPANIONS_DIR, tarball)], { encoding: 'utf8' })
      .split('\n')
      .filter((file) => /^package\/dist\/.*\.js$/.test(file))
      .map((file) => file.replace(/^package\/dist\//, '').replace(/\.js$/, '.ts'))
    assert.ok(compiled.length > 0, `${tarball} holds compiled code`)
    const stale: string[] = []
    for (const source of compiled) {
      if (!(await fs.stat(path.join(packageDir, 'src', source)).catch(() => undefined))) stale.push(source.replace(/\.ts$/, '.js'))
    }
    assert.deepEqual(stale, [], `${tarball} ships output of sources that no longer exist`)
  }
})
