import { builtinModules } from 'node:module'
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

/**
 * Turns a folder name into an npm package name the way create-vite does: lower case, spaces to
 * dashes, no leading "." or "_", anything else npm refuses replaced by a dash.
 */
export function toValidPackageName(name: string): string {
  const scoped = /^@([^/]+)\/([^/]+)$/.exec(name.trim())
  if (scoped) return `@${toValidPackageName(scoped[1])}/${toValidPackageName(scoped[2])}`
  return name
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '-')
    .replace(/^[._]+/, '')
    .replace(/[^a-z\d\-._]+/g, '-')
}

const RESERVED_NAMES = ['node_modules', 'favicon.ico']

/**
 * Checks a name against npm's rules for new packages.
 * Returns what is wrong (to finish the sentence "Invalid project name: …"), or undefined when valid.
 */
export function validateProjectName(name: string): string | undefined {
  if (name.length === 0) return 'it must not be empty'
  if (name.length > 214) return 'it must be 214 characters or fewer'
  if (/\s/.test(name)) return 'it must not contain spaces'
  if (/^[._]/.test(name)) return 'it must not start with "." or "_"'
  if (name !== name.toLowerCase()) return 'it must be lowercase'
  if (/[~'!()*]/.test(name)) return `it must not contain any of ~'!()*`
  if (RESERVED_NAMES.includes(name)) return `"${name}" is a reserved name`
  if (builtinModules.includes(name)) return `"${name}" is a Node.js core module`

  const scoped = /^@([^/]+)\/([^/]+)$/.exec(name)
  if (name.startsWith('@') && !scoped) return 'a scoped name must look like @scope/name'
  const parts = scoped ? [scoped[1], scoped[2]] : [name]
  if (parts.some((part) => encodeURIComponent(part) !== part)) {
    return 'it may only contain letters, digits, "-", "." and "_" (plus "@scope/" for a scoped name)'
  }
  return undefined
}
