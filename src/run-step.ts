import { spawn } from 'node:child_process'
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
  /** Return stdout instead of showing it (stderr is always shown). */
  captureStdout?: boolean
}

/** Runs one command with the user's terminal attached and rejects with a StepError unless it exits 0. */
export function runStep(step: string, commandLine: CommandLine, { cwd, captureStdout = false }: RunStepOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(commandLine.command, commandLine.args, {
      cwd,
      stdio: ['inherit', captureStdout ? 'pipe' : 'inherit', 'inherit'],
    })
    let stdout = ''
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.on('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'ENOENT' ? `could not start: "${commandLine.command}" is not installed or not on PATH` : `could not start: ${error.message}`
      reject(new StepError(step, commandLine, cwd, reason))
    })
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stdout)
      else reject(new StepError(step, commandLine, cwd, signal ? `was stopped by ${signal}` : `exited with code ${code}`))
    })
  })
}
