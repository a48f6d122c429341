#!/usr/bin/env node
// Packs pikku-codegen and pikku-bullmq into companions/ with a manifest, so create-pikku ships them
// (see src/companions.ts). Runs from create-pikku's `prepare` script: in a clone after
// `npm install`, and before `npm pack` / `npm publish`. Scaffolding never packs anything.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import spawn from 'cross-spawn'

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)))
const companionsDir = path.join(root, 'companions')
const readManifest = (dir) => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))

// The three packages are released together: a generated project's ranges are create-pikku's version.
const { version } = readManifest(root)
const packages = ['packages/codegen', 'packages/bullmq'].map((dir) => path.join(root, dir))
for (const dir of packages) {
  const manifest = readManifest(dir)
  if (manifest.version !== version) {
    console.error(`${manifest.name} is at ${manifest.version} but create-pikku is at ${version}; the versions move together.`)
    console.error(`Set them with: npm version <version> --workspaces --include-workspace-root --no-git-tag-version`)
    process.exit(1)
  }
}

rmSync(companionsDir, { recursive: true, force: true })
mkdirSync(companionsDir)
const packed = packages.map((dir) => {
  // --dry-run=false: under `npm publish --dry-run` the outer npm would otherwise pass it down.
  const result = spawn.sync('npm', ['pack', '--json', '--dry-run=false', '--pack-destination', companionsDir], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  if (result.status !== 0) {
    console.error(`npm pack failed in ${dir} (exit ${result.status})`)
    process.exit(1)
  }
  const [{ name, filename }] = JSON.parse(result.stdout)
  return { name, version, tarball: filename }
})
writeFileSync(path.join(companionsDir, 'companions.json'), `${JSON.stringify(packed, null, 2)}\n`)
console.log(`Packed ${packed.map(({ tarball }) => tarball).join(', ')} into companions/`)
