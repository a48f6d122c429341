import fs from 'node:fs/promises'
import path from 'node:path'
import fse from 'fs-extra'
import { CliError } from './cli-error.js'

/** Entries that would clash with the template. A lone `.git` is fine: users often `git init` first. */
export async function findConflictingEntries(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir)
    return entries.filter((entry) => entry !== '.git').sort()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
}

/** Creates the folder, or empties it (keeping `.git`) when `overwrite` is set; refuses otherwise. */
export async function prepareTargetDirectory(dir: string, overwrite: boolean): Promise<void> {
  const stat = await fs.stat(dir).catch(() => undefined)
  if (stat && !stat.isDirectory()) throw new CliError(`"${dir}" exists and is not a directory.`)

  const conflicts = await findConflictingEntries(dir)
  if (conflicts.length > 0 && !overwrite) {
    throw new CliError(
      `Target directory "${dir}" is not empty: ${describeConflicts(conflicts)}.\n` +
        'Choose another directory, or re-run with --overwrite to remove its contents (.git is kept).',
    )
  }
  await Promise.all(conflicts.map((entry) => fse.remove(path.join(dir, entry))))
  await fse.ensureDir(dir)
}

export function describeConflicts(conflicts: string[]): string {
  const shown = conflicts.slice(0, 5).join(', ')
  const hidden = conflicts.length - 5
  return hidden > 0 ? `${shown} and ${hidden} more` : shown
}
