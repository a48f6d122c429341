import spawn from 'cross-spawn'

export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn'] as const

export type PackageManagerName = (typeof PACKAGE_MANAGERS)[number]

export interface PackageManager {
  name: PackageManagerName
  /** Its version when known: yarn 1 and yarn 2+ ("berry") take different flags and files. */
  version?: string
}

export interface CommandLine {
  command: string
  args: string[]
}

export function isPackageManagerName(name: string | undefined): name is PackageManagerName {
  return PACKAGE_MANAGERS.some((candidate) => candidate === name)
}

/**
 * The package manager that launched us, read from `npm_config_user_agent`
 * (e.g. `pnpm/9.1.0 npm/? node/v20.20.2 linux x64`); npm when unknown or unsupported.
 */
export function detectPackageManager(userAgent: string | undefined): PackageManager {
  const [name, version] = userAgent?.split(' ')[0]?.split('/') ?? []
  return isPackageManagerName(name) ? { name, version } : { name: 'npm' }
}

/**
 * The package manager the user chose, with its version: from the user agent when it launched us,
 * else (for yarn only, where it matters) by asking `yarn --version`.
 */
export function resolvePackageManager(name: PackageManagerName, userAgent: string | undefined): PackageManager {
  const launcher = detectPackageManager(userAgent)
  if (launcher.name === name && launcher.version) return launcher
  if (name !== 'yarn') return { name }
  const probe = spawn.sync('yarn', ['--version'], { encoding: 'utf8' })
  return probe.status === 0 ? { name, version: probe.stdout.trim() } : { name }
}

/** Yarn 2+ ("berry"). An unknown yarn is taken for yarn 1, the one most often installed globally. */
export function isYarnBerry({ name, version }: PackageManager): boolean {
  return name === 'yarn' && Number(version?.split('.')[0] ?? 1) >= 2
}

export function installCommand(packageManager: PackageManager): CommandLine {
  const args: Record<PackageManagerName, string[]> = {
    npm: ['install', '--no-audit', '--no-fund'],
    pnpm: ['install'],
    // Yarn 1 refuses @pikku/core's `engines: node >=24` (it runs fine on Node 20); yarn 2+ does
    // not check engines and rejects the flag.
    yarn: isYarnBerry(packageManager) ? ['install'] : ['install', '--ignore-engines'],
  }
  return { command: packageManager.name, args: args[packageManager.name] }
}

/**
 * Environment for the scaffolder's own install. Yarn 2+ refuses to create a lockfile when CI is
 * set (immutable installs); a new project has none yet.
 */
export function installEnvironment(packageManager: PackageManager): NodeJS.ProcessEnv {
  return isYarnBerry(packageManager) ? { YARN_ENABLE_IMMUTABLE_INSTALLS: 'false' } : {}
}

/**
 * Files the package manager needs in a new project. Yarn 2+ defaults to Plug'n'Play, which tsx and
 * the TypeScript compiler API do not follow, and its empty lockfile marks the project root so an
 * enclosing project is not taken for it.
 */
export function packageManagerFiles(packageManager: PackageManager): Record<string, string> {
  return isYarnBerry(packageManager) ? { '.yarnrc.yml': 'nodeLinker: node-modules\n', 'yarn.lock': '' } : {}
}

export function runScriptCommand({ name }: PackageManager, script: string): CommandLine {
  return { command: name, args: name === 'yarn' ? [script] : ['run', script] }
}

/** What precedes a script name: `npm run`, `pnpm run` or `yarn` (for `{{run}}` in template text). */
export function runPrefix(packageManager: PackageManager): string {
  return formatCommand(runScriptCommand(packageManager, '')).trimEnd()
}

/** Formats a command for display, quoting arguments that contain spaces. */
export function formatCommand({ command, args }: CommandLine): string {
  return [command, ...args].map((part) => (/\s/.test(part) ? `"${part}"` : part)).join(' ')
}
