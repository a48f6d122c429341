import path from 'node:path'
import * as prompts from '@clack/prompts'
import { DEFAULT_DIRECTORY, resolveTarget, type CliFlags, type Options } from './options.js'
import { detectPackageManager, PACKAGE_MANAGERS, resolvePackageManager, type PackageManagerName } from './package-managers.js'
import { parseNameAndPath, toValidPackageName, validateProjectName, type ProjectTarget } from './project-name.js'
import { DEFAULT_RUNTIME, findRuntime, RUNTIMES } from './runtimes.js'
import { describeConflicts, findConflictingEntries, overwriteRefusal } from './target-directory.js'

/** Interactive mode: asks for everything the flags leave open. */
export async function promptForOptions(flags: CliFlags, env: NodeJS.ProcessEnv, cwd: string): Promise<Options> {
  // 1. Project directory, then a package name if the folder's own name is not a valid one.
  const target = await askForTarget(flags.directory, cwd)

  // 2. A non-empty directory needs explicit consent before anything in it is deleted, and the
  //    current folder (or a parent of it) is never emptied.
  const targetDir = path.resolve(cwd, target.targetDir)
  const conflicts = await findConflictingEntries(targetDir)
  let overwrite = flags.overwrite
  if (conflicts.length > 0) {
    const refusal = overwriteRefusal(targetDir, cwd)
    if (refusal) cancelled(`"${target.targetDir}" is not empty (${describeConflicts(conflicts)}). ${refusal}`)
    if (!overwrite) {
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
      await prompts.select<PackageManagerName>({
        message: 'Package manager',
        options: PACKAGE_MANAGERS.map((name) => ({ value: name, label: name })),
        initialValue: detectPackageManager(env.npm_config_user_agent).name,
      }),
    )

  // 5. Install now (which also runs codegen)?
  const install =
    flags.install ??
    answered(await prompts.confirm({ message: 'Install dependencies and run codegen now?', initialValue: true }))

  return {
    ...target,
    runtime: findRuntime(runtimeName),
    packageManager: resolvePackageManager(packageManager, env.npm_config_user_agent),
    install,
    deps: flags.deps,
    overwrite,
  }
}

/** Asks for the folder; if its name is no valid package name, asks for one, suggesting a fixed-up name. */
async function askForTarget(given: string | undefined, cwd: string): Promise<ProjectTarget> {
  const unusable = (input: string): string | undefined => {
    try {
      resolveTarget(input, cwd)
      return undefined
    } catch (error) {
      return (error as Error).message
    }
  }
  let directory = given
  if (directory === undefined || unusable(directory)) {
    if (directory !== undefined) prompts.log.warn(unusable(directory)!)
    directory = answered(
      await prompts.text({
        message: 'Project directory',
        placeholder: DEFAULT_DIRECTORY,
        defaultValue: DEFAULT_DIRECTORY,
        initialValue: directory,
        validate: (value) => unusable(value || DEFAULT_DIRECTORY),
      }),
    )
  }
  const { targetDir, projectName } = parseNameAndPath(directory, cwd)
  if (!validateProjectName(projectName)) return { targetDir, projectName }
  const packageName = answered(
    await prompts.text({
      message: `Package name ("${projectName}" is not a valid npm package name)`,
      initialValue: toValidPackageName(projectName),
      validate: (value) => {
        const problem = validateProjectName(value ?? '')
        return problem && `Invalid package name: ${problem}`
      },
    }),
  )
  return { targetDir, projectName: packageName }
}

/** Unwraps a prompt answer; Ctrl-C / Escape ends the run with a non-zero exit. */
function answered<T>(value: T): Exclude<T, symbol> {
  if (prompts.isCancel(value)) cancelled()
  return value as Exclude<T, symbol>
}

function cancelled(reason = 'Operation cancelled'): never {
  prompts.cancel(reason)
  process.exit(1)
}
