import { runScriptCommand, type PackageManager } from './package-managers.js'
import { runStep } from './run-step.js'

/** Runs the project's `pikku` script, which writes the typed `.pikku/` files the code imports. */
export async function runCodegen(dir: string, packageManager: PackageManager): Promise<void> {
  await runStep('Running Pikku codegen', runScriptCommand(packageManager, 'pikku'), { cwd: dir })
}
