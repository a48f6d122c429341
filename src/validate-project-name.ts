import { builtinModules } from 'node:module'

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
