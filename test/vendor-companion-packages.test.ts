import assert from 'node:assert/strict'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { findCompanionPackages, registryRanges, setDependencySpecs } from '../src/vendor-companion-packages.js'

let tmp: string
before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vendor-companions-'))
})
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true })
})

async function makePackage(dir: string, manifest: object, built: boolean): Promise<string> {
  const packageDir = path.join(tmp, dir)
  await fs.mkdir(built ? path.join(packageDir, 'dist') : packageDir, { recursive: true })
  await fs.writeFile(path.join(packageDir, 'package.json'), JSON.stringify(manifest))
  return packageDir
}

test('findCompanionPackages reads names and versions, and needs dist/ only for vendoring', async () => {
  const built = await makePackage('built', { name: 'pikku-codegen', version: '1.0.0' }, true)
  const unbuilt = await makePackage('unbuilt', { name: 'pikku-bullmq', version: '2.0.0' }, false)

  const packages = await findCompanionPackages([built, unbuilt], { mustBeBuilt: false })
  assert.deepEqual(registryRanges(packages), new Map([['pikku-codegen', '^1.0.0'], ['pikku-bullmq', '^2.0.0']]))
  await assert.rejects(findCompanionPackages([built, unbuilt], { mustBeBuilt: true }), /pikku-bullmq is not built .*Run `npm run build`/)
  await assert.rejects(findCompanionPackages([path.join(tmp, 'missing')], { mustBeBuilt: false }), /Companion package not found/)
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
