import path from 'node:path'
import * as prompts from '@clack/prompts'
import pc from 'picocolors'
import { CliError } from './cli-error.js'
import { copyTemplate } from './copy-template.js'
import { installDependencies } from './install-dependencies.js'
import { isInteractive } from './is-interactive.js'
import { formatCommand, installCommand, runPrefix } from './package-managers.js'
import { PACKAGE_ROOT } from './package-root.js'
import { parseCliOptions } from './parse-cli-options.js'
import { prepareTargetDirectory } from './prepare-target-directory.js'
import { printNextSteps } from './print-next-steps.js'
import { promptForOptions } from './prompt-for-options.js'
import { runCodegen } from './run-codegen.js'
import { takeDefaults } from './take-defaults.js'
import { findCompanionPackages, packCompanionPackages, registryRanges, setDependencySpecs } from './vendor-companion-packages.js'

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
  const targetDir = path.resolve(cwd, options.targetDir)

  // 3. Check the companion packages now, so a missing build fails before anything is written.
  const companions = await findCompanionPackages(
    options.runtime.companionPackages.map((dir) => path.join(PACKAGE_ROOT, 'packages', dir)),
    { mustBeBuilt: options.deps === 'vendor' },
  )

  // 4. Create the target folder, or empty it (keeping .git) if the user said so.
  await prepareTargetDirectory(targetDir, options.overwrite)

  // 5. Copy the template, filling in the name and the chosen package manager's commands.
  prompts.log.step(`Creating ${pc.bold(options.projectName)} (${options.runtime.display}) in ${targetDir}`)
  await copyTemplate(path.join(PACKAGE_ROOT, 'templates', options.runtime.templateDir), targetDir, {
    projectName: options.projectName,
    run: runPrefix(options.packageManager),
    install: formatCommand(installCommand(options.packageManager)),
  })

  // 6. The companion packages are not on the registry yet: pack them into vendor/ and depend on the
  //    tarballs, or write plain semver ranges with --deps registry.
  let specs = registryRanges(companions)
  if (options.deps === 'vendor') {
    prompts.log.step('Packing the companion packages into vendor/')
    specs = await packCompanionPackages(companions, targetDir)
  }
  await setDependencySpecs(path.join(targetDir, 'package.json'), specs)

  // 7. Install, then run codegen (it needs the installed pikku-codegen).
  if (options.install) {
    prompts.log.step(`Installing dependencies with ${options.packageManager}`)
    await installDependencies(targetDir, options.packageManager)
    prompts.log.step('Running Pikku codegen')
    await runCodegen(targetDir, options.packageManager)
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
