import path from 'node:path'
import * as prompts from '@clack/prompts'
import pc from 'picocolors'
import { CliError } from './cli-error.js'
import { findCompanions, registryRanges, setDependencySpecs, vendorCompanions } from './companions.js'
import { printNextSteps } from './next-steps.js'
import { isInteractive, parseCliOptions, takeDefaults } from './options.js'
import { PACKAGE_ROOT } from './package-json.js'
import { formatCommand, installCommand, installEnvironment, packageManagerFiles, runPrefix, runScriptCommand } from './package-managers.js'
import { promptForOptions } from './prompt-for-options.js'
import { runStep } from './run-step.js'
import { prepareTargetDirectory } from './target-directory.js'
import { copyTemplate, writeFiles } from './template.js'

async function init(): Promise<void> {
  const cwd = process.cwd()

  // 1. Read the command line; commander handles --help, --version and invalid values itself.
  const flags = parseCliOptions(process.argv)
  const interactive = isInteractive(flags.yes, {
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    env: process.env,
  })
  prompts.intro(pc.inverse(' create-pikku '))

  // 2. Fill in what the flags leave open: ask when a person is there, else take the defaults.
  const options = interactive ? await promptForOptions(flags, process.env, cwd) : takeDefaults(flags, process.env, cwd)
  if (options.renamedFrom) {
    prompts.log.warn(`"${options.renamedFrom}" is not a valid npm package name; the package is named "${options.projectName}".`)
  }
  const targetDir = path.resolve(cwd, options.targetDir)

  // 3. Find the companion packages shipped inside create-pikku, so a broken copy fails before anything is written.
  const companions = await findCompanions(options.runtime.companionPackages)

  // 4. Create the target folder, or empty it (keeping .git) if the user said so.
  await prepareTargetDirectory(targetDir, { overwrite: options.overwrite, cwd })

  // 5. Copy the template, filling in the name and the chosen package manager's commands.
  prompts.log.step(`Creating ${pc.bold(options.projectName)} (${options.runtime.display}) in ${targetDir}`)
  const install = installCommand(options.packageManager)
  await copyTemplate(path.join(PACKAGE_ROOT, 'templates', options.runtime.templateDir), targetDir, {
    projectName: options.projectName,
    run: runPrefix(options.packageManager),
    install: formatCommand(install),
  })
  await writeFiles(targetDir, packageManagerFiles(options.packageManager))

  // 6. Point the companion dependencies at tarballs copied into vendor/ (the default), or at
  //    semver ranges for the registry with --deps registry.
  const specs = options.deps === 'vendor' ? await vendorCompanions(companions, targetDir) : registryRanges(companions)
  await setDependencySpecs(path.join(targetDir, 'package.json'), specs)

  // 7. Install, then run codegen (it needs the installed pikku-codegen).
  if (options.install) {
    prompts.log.step(`Installing dependencies with ${options.packageManager.name}`)
    await runStep('Installing dependencies', install, { cwd: targetDir, env: installEnvironment(options.packageManager) })
    prompts.log.step('Running Pikku codegen')
    await runStep('Running Pikku codegen', runScriptCommand(options.packageManager, 'pikku'), { cwd: targetDir })
  }

  // 8. Show how to get from here to a running worker.
  printNextSteps(options)
}

init().catch((error: unknown) => {
  // Expected failures carry their own message; anything else is a bug worth a stack under DEBUG.
  if (error instanceof CliError) {
    prompts.log.error(error.message, { output: process.stderr })
  } else {
    const detail = error instanceof Error ? error.message : String(error)
    prompts.log.error(`Unexpected error: ${detail}${process.env.DEBUG ? '' : ' (set DEBUG=1 for the stack trace)'}`, { output: process.stderr })
    if (process.env.DEBUG && error instanceof Error) console.error(error.stack)
  }
  process.exitCode = 1
})
