import { existsSync } from 'node:fs'
import path from 'node:path'
import fse from 'fs-extra'
import { CliError } from './cli-error.js'
import { PACKAGE_ROOT } from './package-root.js'
import { readPackageJson, writePackageJson } from './package-json.js'
import { runStep } from './run-step.js'

export interface CompanionPackage {
  dir: string
  name: string
  version: string
}

/** Dependency specs to write into the new project, by package name. */
export type DependencySpecs = Map<string, string>

/**
 * Reads the companion packages' manifests. Packing needs their `dist/` (`npm pack --ignore-scripts`
 * skips `prepare`), so check that here, before anything is written to the target.
 */
export async function findCompanionPackages(dirs: readonly string[], { mustBeBuilt }: { mustBeBuilt: boolean }): Promise<CompanionPackage[]> {
  const packages: CompanionPackage[] = []
  for (const dir of dirs) {
    const manifestPath = path.join(dir, 'package.json')
    if (!existsSync(manifestPath)) throw new CliError(`Companion package not found: ${manifestPath} is missing.`)
    const { name, version } = await readPackageJson(manifestPath)
    if (!name || !version) throw new CliError(`${manifestPath} has no name or version.`)
    if (mustBeBuilt && !existsSync(path.join(dir, 'dist'))) {
      throw new CliError(`${name} is not built (${path.join(dir, 'dist')} is missing). Run \`npm run build\` in ${PACKAGE_ROOT} first.`)
    }
    packages.push({ dir, name, version })
  }
  return packages
}

/**
 * Packs each package into `<targetDir>/vendor/` and returns `file:vendor/<tarball>` specs,
 * so the project installs with only the npm registry reachable and survives being moved.
 */
export async function packCompanionPackages(packages: readonly CompanionPackage[], targetDir: string): Promise<DependencySpecs> {
  const vendorDir = path.join(targetDir, 'vendor')
  await fse.ensureDir(vendorDir)
  const specs: DependencySpecs = new Map()
  for (const { dir, name } of packages) {
    const stdout = await runStep(
      `Packing ${name}`,
      { command: 'npm', args: ['pack', '--ignore-scripts', '--json', '--pack-destination', vendorDir] },
      { cwd: dir, captureStdout: true },
    )
    const [packed] = JSON.parse(stdout) as { filename: string }[]
    specs.set(name, `file:vendor/${packed.filename}`)
  }
  return specs
}

/** `^<version>` specs, for when the companion packages are published (`--deps registry`). */
export function registryRanges(packages: readonly CompanionPackage[]): DependencySpecs {
  return new Map(packages.map(({ name, version }) => [name, `^${version}`]))
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
