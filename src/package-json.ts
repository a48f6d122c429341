import fse from 'fs-extra'

export interface PackageJson {
  name?: string
  version?: string
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  [field: string]: unknown
}

export async function readPackageJson(file: string): Promise<PackageJson> {
  return (await fse.readJson(file)) as PackageJson
}

/** Writes the way npm does (2-space indent, trailing newline) so the first `npm install` leaves no diff. */
export async function writePackageJson(file: string, manifest: PackageJson): Promise<void> {
  await fse.writeJson(file, manifest, { spaces: 2 })
}
