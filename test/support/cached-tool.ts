import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { cleanEnv } from './clean-env.js'

/** Tools the tests install (Verdaccio, pnpm, yarn) live outside the repository and survive runs. */
const CACHE_ROOT = process.env.CREATE_PIKKU_TEST_CACHE ?? path.join(os.homedir(), '.cache', 'create-pikku-tests')

/**
 * Installs a package.json's dependencies once into `<cache>/<name>/` with npm and returns its
 * `node_modules/.bin`. A changed manifest reinstalls; a finished install is marked so a run that was
 * cut short is not taken for one.
 */
export function installCachedTool(name: string, manifest: Record<string, unknown>): string {
  const dir = path.join(CACHE_ROOT, name)
  const wanted = `${JSON.stringify({ private: true, ...manifest }, null, 2)}\n`
  const marker = path.join(dir, 'node_modules', '.installed-manifest.json')
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== wanted) {
    mkdirSync(dir, { recursive: true })
    writeFileSync(path.join(dir, 'package.json'), wanted)
    const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: dir, encoding: 'utf8', env: cleanEnv() })
    if (install.status !== 0) throw new Error(`Installing ${name} into ${dir} failed:\n${install.stdout}${install.stderr}`)
    writeFileSync(marker, wanted)
  }
  return path.join(dir, 'node_modules', '.bin')
}
