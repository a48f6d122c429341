import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fse from 'fs-extra'

export interface PackageJson {
  name?: string
  version?: string
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  [field: string]: unknown
}

/**
 * The create-pikku package folder (the one holding `templates/` and `companions/`).
 * Compiled files live one level down in `dist/`, so the parent of this file's folder is the root.
 */
export const PACKAGE_ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)))

/** create-pikku's own version; the companion packages are released in lockstep with it. */
export function readOwnVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson
  return manifest.version ?? '0.0.0'
}

export async function readPackageJson(file: string): Promise<PackageJson> {
  return (await fse.readJson(file)) as PackageJson
}

/** Writes the way npm does (2-space indent, trailing newline) so the first `npm install` leaves no diff. */
export async function writePackageJson(file: string, manifest: PackageJson): Promise<void> {
  await fse.writeJson(file, manifest, { spaces: 2 })
}
