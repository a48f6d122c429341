import { realpathSync } from 'node:fs'
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

/**
 * Why `dir` must never be emptied, or undefined when it may be: removing the folder the user is
 * standing in, or one that contains it, is almost always a slip of the keyboard. Real paths are
 * compared, so a symlink to the current folder (or to one above it) is refused too.
 */
export function overwriteRefusal(dir: string, cwd: string): string | undefined {
  const relative = path.relative(realPath(dir), realPath(cwd))
  const containsCwd = relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
  if (!containsCwd) return undefined
  const what = relative === '' ? 'it is the current folder' : 'it contains the current folder'
  return `Refusing to empty "${dir}": ${what}. Choose an empty or new folder, or remove its contents yourself.`
}

/** The path with every symlink resolved; a path that does not exist yet is only made absolute. */
function realPath(dir: string): string {
  try {
    return realpathSync.native(dir)
  } catch {
    return path.resolve(dir)
  }
}

/**
 * Creates the folder, or empties it (keeping `.git`) when `overwrite` is set and it is not the
 * current folder or a parent of it; refuses otherwise.
 */
export async function prepareTargetDirectory(dir: string, { overwrite, cwd }: { overwrite: boolean; cwd: string }): Promise<void> {
  const stat = await fs.stat(dir).catch(() => undefined)
  if (stat && !stat.isDirectory()) throw new CliError(`"${dir}" exists and is not a directory.`)

  const conflicts = await findConflictingEntries(dir)
  if (conflicts.length > 0) {
    if (!overwrite) {
      throw new CliError(
        `Target directory "${dir}" is not empty: ${describeConflicts(conflicts)}.\n` +
          'Choose another directory, or re-run with --overwrite to remove its contents (.git is kept).',
      )
    }
    const refusal = overwriteRefusal(dir, cwd)
    if (refusal) throw new CliError(refusal)
  }
  await Promise.all(conflicts.map((entry) => fse.remove(path.join(dir, entry))))
  await fse.ensureDir(dir)
}

export function describeConflicts(conflicts: string[]): string {
  const shown = conflicts.slice(0, 5).join(', ')
  const hidden = conflicts.length - 5
  return hidden > 0 ? `${shown} and ${hidden} more` : shown
}
