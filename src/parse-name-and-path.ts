import path from 'node:path'

export interface ProjectTarget {
  /** The `name` written to package.json. */
  projectName: string
  /** Where to create the project, as the user gave it (relative paths stay relative). */
  targetDir: string
}

/**
 * Splits the `[directory]` argument into a package name and a folder, as create-t3-app does:
 * the name is the folder's base name (`.` means the current folder), and a trailing
 * `@scope/name` is a scoped package name created in the folder `name`.
 */
export function parseNameAndPath(input: string, cwd: string): ProjectTarget {
  const trimmed = input.trim().replace(/(.)[/\\]+$/, '$1') || '.'
  const segments = trimmed.split(/[/\\]/)
  const scope = segments.at(-2)
  if (scope?.startsWith('@')) {
    const name = segments.at(-1)!
    return { projectName: `${scope}/${name}`, targetDir: [...segments.slice(0, -2), name].join('/') }
  }
  return { projectName: path.basename(path.resolve(cwd, trimmed)), targetDir: trimmed }
}
