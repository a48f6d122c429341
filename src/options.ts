import { Command, Option } from 'commander'
import { CliError } from './cli-error.js'
import { readOwnVersion } from './package-json.js'
import { detectPackageManager, PACKAGE_MANAGERS, resolvePackageManager, type PackageManager, type PackageManagerName } from './package-managers.js'
import { parseNameAndPath, toValidPackageName, validateProjectName, type ProjectTarget } from './project-name.js'
import { DEFAULT_RUNTIME, findRuntime, RUNTIMES, type Runtime } from './runtimes.js'

export const DEFAULT_DIRECTORY = 'pikku-app'

export const DEPENDENCY_SOURCES = ['vendor', 'registry'] as const
export type DependencySource = (typeof DEPENDENCY_SOURCES)[number]

/** What the command line says; `undefined` means "not given": ask, or take the default. */
export interface CliFlags {
  directory: string | undefined
  runtime: string | undefined
  packageManager: PackageManagerName | undefined
  install: boolean | undefined
  yes: boolean
  overwrite: boolean
  deps: DependencySource
}

/** Everything the scaffold needs, once flags, answers and defaults are combined. */
export interface Options {
  projectName: string
  targetDir: string
  runtime: Runtime
  packageManager: PackageManager
  install: boolean
  deps: DependencySource
  overwrite: boolean
  /** The folder name npm would refuse as a package name, when projectName was made from it. */
  renamedFrom?: string
}

interface ParsedOptions {
  runtime?: string
  packageManager?: PackageManagerName
  install: boolean
  yes?: boolean
  overwrite?: boolean
  deps: DependencySource
}

/** Parses argv. Commander itself prints help/version and exits 1 on unknown flags or values. */
export function parseCliOptions(argv: string[]): CliFlags {
  const program = new Command('create-pikku')
    .description('Scaffold a typed Pikku + BullMQ background-job project.')
    .version(readOwnVersion(), '-v, --version', 'print the create-pikku version')
    .usage('[directory] [options]')
    .helpOption('-h, --help', 'show this help')
    .argument('[directory]', 'folder to create the project in ("." for the current folder)')
    .addOption(new Option('--runtime <name>', 'runtime template').choices(RUNTIMES.map((runtime) => runtime.name)))
    .option('-y, --yes', 'take the defaults for everything not given and ask nothing')
    .option('--no-install', 'skip installing dependencies (and so codegen)')
    .addOption(
      new Option('--package-manager <name>', 'package manager (default: the one running create-pikku, else npm)').choices(PACKAGE_MANAGERS),
    )
    .option('--overwrite', 'empty a non-empty target folder first (.git is kept; never the current folder or a parent of it)')
    .addOption(
      new Option('--deps <source>', 'vendor: install pikku-codegen and pikku-bullmq from tarballs copied into vendor/; registry: semver ranges from your registry')
        .choices(DEPENDENCY_SOURCES)
        .default('vendor'),
    )
    .addHelpText(
      'after',
      [
        '',
        'Runtimes:',
        ...RUNTIMES.map((runtime) => `  ${runtime.name.padEnd(10)}${runtime.display}`),
        '',
        'Examples:',
        '  npm create pikku@latest my-worker',
        '  npm create pikku@latest my-worker -- --runtime bullmq --yes',
        '  npx create-pikku jobs --package-manager pnpm --no-install',
      ].join('\n'),
    )
    .parse(argv)

  const options = program.opts<ParsedOptions>()
  return {
    directory: program.args[0],
    runtime: options.runtime,
    packageManager: options.packageManager,
    // `--no-install` defaults to true; only an explicit flag should skip the install question.
    install: program.getOptionValueSource('install') === 'cli' ? options.install : undefined,
    yes: options.yes ?? false,
    overwrite: options.overwrite ?? false,
    deps: options.deps,
  }
}

export interface Terminal {
  stdinIsTTY: boolean
  stdoutIsTTY: boolean
  env: NodeJS.ProcessEnv
}

/** Ask questions only when a person can answer them: a terminal on both ends, no --yes, not CI. */
export function isInteractive(yes: boolean, { stdinIsTTY, stdoutIsTTY, env }: Terminal): boolean {
  const ci = env.CI !== undefined && !['', '0', 'false'].includes(env.CI.toLowerCase())
  return stdinIsTTY && stdoutIsTTY && !yes && !ci
}

/**
 * The folder and package name for a `[directory]` argument. A folder name npm would refuse as a
 * package name is turned into one it accepts; `renamedFrom` then says so, for the user to be told.
 */
export function resolveTarget(directory: string, cwd: string): ProjectTarget & Pick<Options, 'renamedFrom'> {
  const target = parseNameAndPath(directory, cwd)
  if (!validateProjectName(target.projectName)) return target
  const projectName = toValidPackageName(target.projectName)
  const problem = validateProjectName(projectName)
  if (problem) throw new CliError(`Invalid project name "${target.projectName}" (taken from the directory name): ${problem}.`)
  return { ...target, projectName, renamedFrom: target.projectName }
}

/** Non-interactive mode: flags win, defaults fill the rest. */
export function takeDefaults(flags: CliFlags, env: NodeJS.ProcessEnv, cwd: string): Options {
  const packageManager = flags.packageManager
    ? resolvePackageManager(flags.packageManager, env.npm_config_user_agent)
    : detectPackageManager(env.npm_config_user_agent)
  return {
    ...resolveTarget(flags.directory ?? DEFAULT_DIRECTORY, cwd),
    runtime: findRuntime(flags.runtime ?? DEFAULT_RUNTIME),
    packageManager,
    install: flags.install ?? true,
    deps: flags.deps,
    overwrite: flags.overwrite,
  }
}
