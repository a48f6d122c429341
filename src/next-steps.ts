import * as prompts from '@clack/prompts'
import pc from 'picocolors'
import { formatCommand, installCommand, runScriptCommand } from './package-managers.js'
import type { Options } from './options.js'

export interface NextStep {
  command: string
  purpose?: string
}

/** The commands that take the user from here to a running worker, in order. */
export function listNextSteps(options: Options): NextStep[] {
  const { targetDir, packageManager, install, runtime } = options
  const run = (script: string): string => formatCommand(runScriptCommand(packageManager, script))
  return [
    // A folder named like an option (-x) would be read as one by cd.
    ...(targetDir === '.' ? [] : [{ command: `cd ${shellQuote(targetDir.startsWith('-') ? `./${targetDir}` : targetDir)}` }]),
    ...(install
      ? []
      : [
          { command: formatCommand(installCommand(packageManager)) },
          { command: run('pikku'), purpose: 'generate the typed .pikku/ files' },
        ]),
    runtime.prerequisite,
    { command: run('start'), purpose: 'start the worker' },
    { command: run('enqueue'), purpose: 'in another terminal: add a job' },
  ]
}

/**
 * The path as one POSIX shell word that is pasted safely: left bare when it holds only characters
 * no shell treats specially, else in single quotes, inside which `$()`, backquotes and globs are
 * plain text (a single quote itself is closed, escaped and reopened).
 */
export function shellQuote(word: string): string {
  return /^[\w./@%+=:,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`
}

export function printNextSteps(options: Options): void {
  const steps = listNextSteps(options)
  const width = Math.max(...steps.map((step) => step.command.length))
  const lines = steps.map(({ command, purpose }) =>
    purpose ? `  ${pc.cyan(command.padEnd(width))}  ${pc.dim(`# ${purpose}`)}` : `  ${pc.cyan(command)}`,
  )
  // log.message, unlike note(), does not wrap lines, so the commands stay copy-pasteable.
  prompts.log.success(['Next steps:', '', ...lines].join('\n'))
  prompts.outro(`Created ${pc.bold(options.projectName)}.`)
}
