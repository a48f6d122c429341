import { installCommand, type PackageManager } from './package-managers.js'
import { runStep } from './run-step.js'

export async function installDependencies(dir: string, packageManager: PackageManager): Promise<void> {
  await runStep('Installing dependencies', installCommand(packageManager), { cwd: dir })
}
