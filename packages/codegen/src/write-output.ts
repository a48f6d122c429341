import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'

/**
 * Replaces outDir with exactly these files (relative path → content).
 * The new tree is written beside it and swapped in with renames, so a failure
 * part-way leaves the previous output whole. Identical output is not rewritten.
 * Returns whether anything changed.
 */
export function writeOutput(outDir: string, files: ReadonlyMap<string, string>): boolean {
  if (sameContents(outDir, files)) return false
  const staging = `${outDir}.tmp-${process.pid}`
  const previous = `${outDir}.old-${process.pid}`
  rmSync(staging, { recursive: true, force: true })
  try {
    for (const [path, content] of files) {
      const target = join(staging, path)
      mkdirSync(dirname(target), { recursive: true })
      writeFileSync(target, content)
    }
    if (existsSync(outDir)) renameSync(outDir, previous)
    renameSync(staging, outDir)
  } catch (error) {
    rmSync(staging, { recursive: true, force: true })
    if (!existsSync(outDir) && existsSync(previous)) renameSync(previous, outDir)
    throw error
  }
  rmSync(previous, { recursive: true, force: true })
  return true
}

function sameContents(outDir: string, files: ReadonlyMap<string, string>): boolean {
  if (!existsSync(outDir)) return false
  const existing = listFiles(outDir).map((file) => relative(outDir, file))
  return (
    existing.length === files.size &&
    existing.every((path) => files.get(path) === readFileSync(join(outDir, path), 'utf8'))
  )
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  )
}
