import fs from 'node:fs/promises'

export interface PackageJson {
  name?: string
  version?: string
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  [field: string]: unknown
}

export async function readPackageJson(file: string): Promise<PackageJson> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as PackageJson
}

/** Writes the way npm does (2-space indent, trailing newline) so the first `npm install` leaves no diff. */
export async function writePackageJson(file: string, manifest: PackageJson): Promise<void> {
  await fs.writeFile(file, `${JSON.stringify(manifest, null, 2)}\n`)
}
