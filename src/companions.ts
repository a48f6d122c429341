import { existsSync } from 'node:fs'
import path from 'node:path'
import fse from 'fs-extra'
import { CliError } from './cli-error.js'
import { PACKAGE_ROOT, readPackageJson, writePackageJson } from './package-json.js'

/**
 * Where the companion packages (pikku-codegen, pikku-bullmq) travel inside create-pikku: built
 * tarballs plus a manifest, written by `scripts/pack-companions.js` when create-pikku is prepared
 * (in a clone) or packed (for a release), never at scaffold time.
 */
export const COMPANIONS_DIR = path.join(PACKAGE_ROOT, 'companions')
const MANIFEST = 'companions.json'

export interface Companion {
  name: string
  version: string
  /** The tarball's file name in COMPANIONS_DIR. */
  tarball: string
}

/** Dependency specs to write into the new project, by package name. */
export type DependencySpecs = Map<string, string>

/** Reads the manifest and checks that every package the runtime needs is there, before anything is written. */
export async function findCompanions(names: readonly string[], companionsDir = COMPANIONS_DIR): Promise<Companion[]> {
  const manifestPath = path.join(companionsDir, MANIFEST)
  const howToFix = 'In a clone of create-pikku, run `npm install` (its prepare script packs them); a published create-pikku ships them.'
  if (!existsSync(manifestPath)) throw new CliError(`The companion packages are missing: ${manifestPath} does not exist. ${howToFix}`)
  const packed = (await fse.readJson(manifestPath)) as Companion[]
  return names.map((name) => {
    const companion = packed.find((candidate) => candidate.name === name)
    if (!companion || !existsSync(path.join(companionsDir, companion.tarball))) {
      throw new CliError(`The companion package ${name} is missing from ${companionsDir}. ${howToFix}`)
    }
    return companion
  })
}

/**
 * Copies the tarballs into `<targetDir>/vendor/` and returns `file:vendor/<tarball>` specs, so the
 * project installs with no companion package on any registry and survives being moved.
 */
export async function vendorCompanions(companions: readonly Companion[], targetDir: string, companionsDir = COMPANIONS_DIR): Promise<DependencySpecs> {
  const specs: DependencySpecs = new Map()
  for (const { name, tarball } of companions) {
    await fse.copy(path.join(companionsDir, tarball), path.join(targetDir, 'vendor', tarball))
    specs.set(name, `file:vendor/${tarball}`)
  }
  return specs
}

/** `^<version>` specs, installed from whatever registry the user's package manager points at (`--deps registry`). */
export function registryRanges(companions: readonly Companion[]): DependencySpecs {
  return new Map(companions.map(({ name, version }) => [name, `^${version}`]))
}

/** Rewrites each package's entry in whichever dependency list the template put it. */
export async function setDependencySpecs(packageJsonPath: string, specs: DependencySpecs): Promise<void> {
  const manifest = await readPackageJson(packageJsonPath)
  for (const [name, spec] of specs) {
    const list = [manifest.dependencies, manifest.devDependencies].find((deps) => deps?.[name] !== undefined)
    if (!list) throw new CliError(`The template's package.json does not list ${name} in dependencies or devDependencies.`)
    list[name] = spec
  }
  await writePackageJson(packageJsonPath, manifest)
}
