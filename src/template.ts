import fs from 'node:fs/promises'
import path from 'node:path'
import { readPackageJson, writePackageJson } from './package-json.js'

/** Build output and installs that may sit in a template folder during development. */
const SKIPPED = new Set(['node_modules', '.pikku', 'dist', 'vendor'])

/** npm never publishes a `.gitignore`, so templates ship it under another name. */
const RENAMED: Record<string, string> = { _gitignore: '.gitignore' }

/** Values for `{{key}}` placeholders in the template's text files. */
export type Placeholders = Record<string, string>

export async function copyTemplate(templateDir: string, targetDir: string, placeholders: Placeholders & { projectName: string }): Promise<void> {
  await copyDirectory(templateDir, targetDir, placeholders)

  // Set the name structurally, not by text replacement. Spreading the manifest after `name` keeps
  // the template's key order, or puts `name` first when the template has none.
  const packageJsonPath = path.join(targetDir, 'package.json')
  const manifest = { name: placeholders.projectName, ...(await readPackageJson(packageJsonPath)) }
  manifest.name = placeholders.projectName
  await writePackageJson(packageJsonPath, manifest)
}

/** Replaces each `{{key}}` that has a value; unknown placeholders are left as they are. */
export function fillPlaceholders(text: string, placeholders: Placeholders): string {
  return text.replace(/\{\{(\w+)\}\}/g, (placeholder, key: string) => placeholders[key] ?? placeholder)
}

async function copyDirectory(from: string, to: string, placeholders: Placeholders): Promise<void> {
  await fs.mkdir(to, { recursive: true })
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue
    const source = path.join(from, entry.name)
    const destination = path.join(to, RENAMED[entry.name] ?? entry.name)
    if (entry.isDirectory()) await copyDirectory(source, destination, placeholders)
    else await copyFile(source, destination, placeholders)
  }
}

async function copyFile(source: string, destination: string, placeholders: Placeholders): Promise<void> {
  const content = await fs.readFile(source)
  // A NUL byte means binary: copy it byte for byte.
  const output = content.includes(0) ? content : fillPlaceholders(content.toString('utf8'), placeholders)
  // Keep the mode so executable scripts stay executable.
  await fs.writeFile(destination, output, { mode: (await fs.stat(source)).mode })
}

/** Writes extra files (such as a package manager's settings) into the new project. */
export async function writeFiles(targetDir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) await fs.writeFile(path.join(targetDir, name), content)
}
