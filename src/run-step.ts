import spawn from 'cross-spawn'
import { CliError } from './cli-error.js'
import { formatCommand, type CommandLine } from './package-managers.js'

/** A child process that did not succeed; the message names the step, the command and the folder. */
export class StepError extends CliError {
  override name = 'StepError'

  constructor(step: string, commandLine: CommandLine, cwd: string, reason: string) {
    super(`${step} failed: \`${formatCommand(commandLine)}\` (in ${cwd}) ${reason}.`)
  }
}

export interface RunStepOptions {
  cwd: string
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv
}

/**
 * Runs one command with the user's terminal attached and rejects with a StepError unless it exits 0.
 * cross-spawn resolves Windows `.cmd` shims (npm, pnpm, yarn), which plain `spawn` cannot start.
 */
export function runStep(step: string, commandLine: CommandLine, { cwd, env }: RunStepOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(commandLine.command, commandLine.args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } })
    child.on('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'ENOENT' ? `could not start: "${commandLine.command}" is not installed or not on PATH` : `could not start: ${error.message}`
      reject(new StepError(step, commandLine, cwd, reason))
    })
    child.on('close', (code, signal) => {
      if (code === 0) resolve()
      else reject(new StepError(step, commandLine, cwd, signal ? `was stopped by ${signal}` : `exited with code ${code}`))
    })
  })
}
