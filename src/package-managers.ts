export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn'] as const

export type PackageManager = (typeof PACKAGE_MANAGERS)[number]

export interface CommandLine {
  command: string
  args: string[]
}

const COMMANDS: Record<PackageManager, { install: string[]; run: string[] }> = {
  npm: { install: ['install', '--no-audit', '--no-fund'], run: ['run'] },
  pnpm: { install: ['install'], run: ['run'] },
  // Yarn 1 refuses @pikku/core's `engines: node >=24`; the package runs fine on Node 20.
  yarn: { install: ['install', '--ignore-engines'], run: [] },
}

export function isPackageManager(name: string | undefined): name is PackageManager {
  return PACKAGE_MANAGERS.some((candidate) => candidate === name)
}

export function installCommand(packageManager: PackageManager): CommandLine {
  return { command: packageManager, args: COMMANDS[packageManager].install }
}

export function runScriptCommand(packageManager: PackageManager, script: string): CommandLine {
  return { command: packageManager, args: [...COMMANDS[packageManager].run, script] }
}

/** What precedes a script name: `npm run`, `pnpm run` or `yarn` (for `{{run}}` in template text). */
export function runPrefix(packageManager: PackageManager): string {
  return [packageManager, ...COMMANDS[packageManager].run].join(' ')
}

/** Formats a command for display, quoting arguments that contain spaces. */
export function formatCommand({ command, args }: CommandLine): string {
  return [command, ...args].map((part) => (/\s/.test(part) ? `"${part}"` : part)).join(' ')
}
