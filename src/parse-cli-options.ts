import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Command, Option } from 'commander'
import { PACKAGE_ROOT } from './package-root.js'
import { PACKAGE_MANAGERS, type PackageManager } from './package-managers.js'
import { RUNTIMES } from './runtimes.js'

export const DEPENDENCY_SOURCES = ['vendor', 'registry'] as const
export type DependencySource = (typeof DEPENDENCY_SOURCES)[number]

/** What the command line says; `undefined` means "not given": ask, or take the default. */
export interface CliFlags {
  directory: string | undefined
  runtime: string | undefined
  packageManager: PackageManager | undefined
  install: boolean | undefined
  yes: boolean
  overwrite: boolean
  deps: DependencySource
}

interface ParsedOptions {
  runtime?: string
  packageManager?: PackageManager
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
    .addOption(
      new Option('--runtime <name>', 'runtime template').choices(RUNTIMES.map((runtime) => runtime.name)),
    )
    .option('-y, --yes', 'take the defaults for everything not given and ask nothing')
    .option('--no-install', 'skip installing dependencies (and so codegen)')
    .addOption(
      new Option('--package-manager <name>', 'package manager (default: the one running create-pikku, else npm)').choices(
        PACKAGE_MANAGERS,
      ),
    )
    .option('--overwrite', 'empty a non-empty target folder first (.git is kept)')
    .addOption(
      new Option('--deps <source>', 'vendor: pack the companion packages into vendor/; registry: plain semver ranges')
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
        '  npx create-pikku . --overwrite --no-install',
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

function readOwnVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }
  return manifest.version
}
