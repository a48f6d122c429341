#!/usr/bin/env node
import { relative } from 'node:path'
import { CodegenError, formatDiagnostic } from './codegen-error.js'
import { generate } from './generate.js'

const USAGE = `Usage: pikku [--help]

Reads pikku.config.json in the current folder, inspects the source directories
and writes the typed .pikku/ folder (meta, definers, typed producer, bootstrap).`

const args = process.argv.slice(2)
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE)
} else if (args.length > 0) {
  console.error(`pikku: unknown argument ${args[0]}\n\n${USAGE}`)
  process.exitCode = 1
} else {
  run(process.cwd())
}

function run(rootDir: string): void {
  const started = performance.now()
  try {
    const { model, outDir, changed } = generate(rootDir)
    const took = Math.round(performance.now() - started)
    const what = `${model.functions.length} function(s), ${model.queueWorkers.length} queue worker(s)`
    console.log(`pikku: ${changed ? 'wrote' : 'unchanged'} ${relative(rootDir, outDir) || '.'}/ — ${what} (${took} ms)`)
  } catch (error) {
    if (error instanceof CodegenError) {
      for (const d of error.diagnostics) {
        console.error(formatDiagnostic({ ...d, file: relative(rootDir, d.file) || d.file }))
      }
      console.error(`pikku: ${error.diagnostics.length} problem(s) found; nothing was written`)
    } else {
      console.error('pikku: codegen failed unexpectedly:', error)
    }
    process.exitCode = 1
  }
}
