#!/usr/bin/env node
import { relative } from 'node:path'
import { CodegenError, formatDiagnostic } from './codegen-error.js'
import { DevProcess } from './dev-process.js'
import { generate, type GenerateResult } from './generate.js'
import { watchProject } from './watch-project.js'

const USAGE = `Usage: pikku [--watch [-- <command> [args...]]]

Reads pikku.config.json in the current folder, inspects the source directories
and writes the typed .pikku/ folder (meta, schemas, definers, typed producer, bootstrap).

  --watch                regenerate whenever a source file, tsconfig or pikku.config.json changes
  --watch -- <command>   also run <command> (e.g. tsx src/start.ts) and restart it after every change`

const argv = process.argv.slice(2)
const separator = argv.indexOf('--')
const flags = separator === -1 ? argv : argv.slice(0, separator)
const command = separator === -1 ? [] : argv.slice(separator + 1)
const unknown = flags.find((flag) => !['--watch', '--help', '-h'].includes(flag))

if (flags.includes('--help') || flags.includes('-h')) {
  console.log(USAGE)
} else if (unknown) {
  console.error(`pikku: unknown argument ${unknown}\n\n${USAGE}`)
  process.exitCode = 1
} else if (command.length > 0 && !flags.includes('--watch')) {
  console.error(`pikku: a command after -- is only run with --watch\n\n${USAGE}`)
  process.exitCode = 1
} else if (flags.includes('--watch')) {
  watch(process.cwd(), command)
} else {
  runOnce(process.cwd())
}

function runOnce(rootDir: string): void {
  const started = performance.now()
  try {
    report(rootDir, generate(rootDir), performance.now() - started)
  } catch (error) {
    reportError(rootDir, error)
    process.exitCode = 1
  }
}

function watch(rootDir: string, command: string[]): void {
  const log = (message: string) => console.log(`pikku: ${message}`)
  const dev = command.length > 0 ? new DevProcess({ command: command[0]!, args: command.slice(1), cwd: rootDir, log }) : undefined
  let started = false
  const watcher = watchProject({
    rootDir,
    onRun: ({ result, error, tookMs }) => {
      if (result) {
        report(rootDir, result, tookMs)
        // Every change restarts the command: a source edit is new code even when .pikku/ is unchanged.
        void dev?.restart()
        started = true
      } else {
        reportError(rootDir, error)
        log(started && dev ? 'fix the problem above; the running process keeps the previous code until then' : 'fix the problem above; watching for changes')
      }
    },
  })
  log(`watching for changes${dev ? `, running ${command.join(' ')}` : ''} (Ctrl-C to stop)`)
  const stop = async () => {
    watcher.close()
    await dev?.stop()
    process.exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

function report(rootDir: string, { model, outDir, changed, warnings }: GenerateResult, tookMs: number): void {
  for (const d of warnings) {
    console.error(formatDiagnostic({ ...d, file: relative(rootDir, d.file) || d.file, message: `warning: ${d.message}` }))
  }
  const what = `${model.functions.length} function(s), ${model.queueWorkers.length} queue worker(s), ${model.schedulers.length} scheduled task(s), ${model.workflows.length} workflow(s)`
  console.log(`pikku: ${changed ? 'wrote' : 'unchanged'} ${relative(rootDir, outDir) || '.'}/ — ${what} (${Math.round(tookMs)} ms)`)
}

function reportError(rootDir: string, error: unknown): void {
  if (error instanceof CodegenError) {
    for (const d of error.diagnostics) {
      console.error(formatDiagnostic({ ...d, file: relative(rootDir, d.file) || d.file }))
    }
    console.error(`pikku: ${error.diagnostics.length} problem(s) found; nothing was written`)
  } else {
    console.error('pikku: codegen failed unexpectedly:', error)
  }
}
