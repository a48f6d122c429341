import path from 'node:path'
import * as prompts from '@clack/prompts'
import { detectPackageManager } from './detect-package-manager.js'
import { PACKAGE_MANAGERS, type PackageManager } from './package-managers.js'
import type { CliFlags } from './parse-cli-options.js'
import { parseNameAndPath, type ProjectTarget } from './parse-name-and-path.js'
import { describeConflicts, findConflictingEntries } from './prepare-target-directory.js'
import { DEFAULT_RUNTIME, findRuntime, RUNTIMES } from './runtimes.js'
import { DEFAULT_DIRECTORY, type Options } from './take-defaults.js'
import { validateProjectName } from './validate-project-name.js'

/** Interactive mode: asks for everything the flags leave open. */
export async function promptForOptions(flags: CliFlags, env: NodeJS.ProcessEnv, cwd: string): Promise<Options> {
  // 1. Project directory (its base name becomes the package name); re-ask until the name is valid.
  const target = await askForTarget(flags.directory, cwd)

  // 2. A non-empty directory needs explicit consent before anything in it is deleted.
  const conflicts = await findConflictingEntries(path.resolve(cwd, target.targetDir))
  let overwrite = flags.overwrite
  if (conflicts.length > 0 && !overwrite) {
    overwrite = answered(
      await prompts.select({
        message: `"${target.targetDir}" is not empty (${describeConflicts(conflicts)}). How to continue?`,
        options: [
          { value: false, label: 'Cancel' },
          { value: true, label: 'Remove existing files and continue', hint: '.git is kept' },
        ],
        initialValue: false,
      }),
    )
    if (!overwrite) cancelled()
  }

  // 3. Runtime.
  const runtimeName =
    flags.runtime ??
    answered(
      await prompts.select({
        message: 'Runtime',
        options: RUNTIMES.map((runtime) => ({ value: runtime.name, label: runtime.display })),
        initialValue: DEFAULT_RUNTIME,
      }),
    )

  // 4. Package manager, defaulting to the one that launched us.
  const packageManager =
    flags.packageManager ??
    answered(
      await prompts.select<PackageManager>({
        message: 'Package manager',
        options: PACKAGE_MANAGERS.map((name) => ({ value: name, label: name })),
        initialValue: detectPackageManager(env.npm_config_user_agent),
      }),
    )

  // 5. Install now (which also runs codegen)?
  const install =
    flags.install ??
    answered(await prompts.confirm({ message: 'Install dependencies and run codegen now?', initialValue: true }))

  return {
    ...target,
    runtime: findRuntime(runtimeName),
    packageManager,
    install,
    deps: flags.deps,
    overwrite,
  }
}

async function askForTarget(given: string | undefined, cwd: string): Promise<ProjectTarget> {
  const problemWith = (input: string): string | undefined => {
    const { projectName } = parseNameAndPath(input, cwd)
    const problem = validateProjectName(projectName)
    return problem && `Invalid project name "${projectName}": ${problem}`
  }

  if (given !== undefined) {
    const problem = problemWith(given)
    if (!problem) return parseNameAndPath(given, cwd)
    prompts.log.warn(problem)
  }
  const directory = answered(
    await prompts.text({
      message: 'Project directory',
      placeholder: DEFAULT_DIRECTORY,
      defaultValue: DEFAULT_DIRECTORY,
      initialValue: given,
      validate: (value) => problemWith(value || DEFAULT_DIRECTORY),
    }),
  )
  return parseNameAndPath(directory, cwd)
}

/** Unwraps a prompt answer; Ctrl-C / Escape ends the run with a non-zero exit. */
function answered<T>(value: T): Exclude<T, symbol> {
  if (prompts.isCancel(value)) cancelled()
  return value as Exclude<T, symbol>
}

function cancelled(): never {
  prompts.cancel('Operation cancelled')
  process.exit(1)
}
