import { CliError } from './cli-error.js'
import { detectPackageManager } from './detect-package-manager.js'
import type { PackageManager } from './package-managers.js'
import type { CliFlags, DependencySource } from './parse-cli-options.js'
import { parseNameAndPath } from './parse-name-and-path.js'
import { DEFAULT_RUNTIME, findRuntime, type Runtime } from './runtimes.js'
import { validateProjectName } from './validate-project-name.js'

export const DEFAULT_DIRECTORY = 'pikku-app'

/** Everything the scaffold needs, once flags, answers and defaults are combined. */
export interface Options {
  projectName: string
  targetDir: string
  runtime: Runtime
  packageManager: PackageManager
  install: boolean
  deps: DependencySource
  overwrite: boolean
}

/** Non-interactive mode: flags win, defaults fill the rest, and an invalid name is an error. */
export function takeDefaults(flags: CliFlags, env: NodeJS.ProcessEnv, cwd: string): Options {
  const { projectName, targetDir } = parseNameAndPath(flags.directory ?? DEFAULT_DIRECTORY, cwd)
  const problem = validateProjectName(projectName)
  if (problem) {
    throw new CliError(`Invalid project name "${projectName}" (taken from the directory name): ${problem}.`)
  }
  return {
    projectName,
    targetDir,
    runtime: findRuntime(flags.runtime ?? DEFAULT_RUNTIME),
    packageManager: flags.packageManager ?? detectPackageManager(env.npm_config_user_agent),
    install: flags.install ?? true,
    deps: flags.deps,
    overwrite: flags.overwrite,
  }
}
