import { watch, type FSWatcher } from 'node:fs'
import { basename, join, relative, sep } from 'node:path'
import picomatch from 'picomatch'
import { CONFIG_FILE, loadConfig } from './load-config.js'
import { Generator, type GenerateResult } from './generate.js'

export interface WatchOptions {
  rootDir: string
  /** Called after every run: the result, or the error (a CodegenError for user mistakes). */
  onRun: (outcome: { result?: GenerateResult; error?: unknown; tookMs: number; changedFiles: string[] }) => void
  /** How long to wait for more changes before regenerating. Default: 50 ms (an editor's save is often several events). */
  debounceMs?: number
}

export interface ProjectWatcher {
  close(): void
}

/**
 * Regenerates .pikku/ whenever a source file, tsconfig or pikku.config.json
 * changes. The generator is kept between runs, so a run after an edit
 * re-parses only the edited files. Test and spec files (the exclude patterns)
 * and the output folder are ignored.
 */
export function watchProject({ rootDir, onRun, debounceMs = 50 }: WatchOptions): ProjectWatcher {
  let generator: Generator | undefined
  let watchers: FSWatcher[] = []
  let timer: NodeJS.Timeout | undefined
  let pending = new Set<string>()
  let closed = false

  const run = () => {
    timer = undefined
    const changedFiles = [...pending]
    pending = new Set()
    const started = performance.now()
    try {
      const configChanged = changedFiles.some((file) => isConfigFile(file, generator))
      if (!generator || configChanged) {
        generator = new Generator(loadConfig(rootDir))
        rewatch(generator)
      }
      const result = generator.run()
      onRun({ result, tookMs: performance.now() - started, changedFiles })
    } catch (error) {
      onRun({ error, tookMs: performance.now() - started, changedFiles })
      // A broken config leaves nothing to watch but the config itself.
      if (!generator) rewatch(undefined)
    }
  }

  const schedule = (file: string) => {
    if (closed) return
    pending.add(file)
    if (timer) clearTimeout(timer)
    timer = setTimeout(run, debounceMs)
  }

  const rewatch = (current: Generator | undefined) => {
    for (const watcher of watchers) watcher.close()
    watchers = [watch(rootDir, (_event, name) => name && isConfigName(name) && schedule(join(rootDir, name)))]
    if (!current) return
    const { config } = current
    const excluded = picomatch(config.exclude, { dot: true })
    for (const dir of config.srcDirectories) {
      watchers.push(
        watch(dir, { recursive: true }, (_event, name) => {
          if (!name) return
          const file = join(dir, name)
          const rel = relative(config.rootDir, file).split(sep).join('/')
          if (isInside(file, config.outDir) || rel.split('/').includes('node_modules') || excluded(rel)) return
          schedule(file)
        }),
      )
    }
  }

  run()
  return {
    close() {
      closed = true
      if (timer) clearTimeout(timer)
      for (const watcher of watchers) watcher.close()
    },
  }
}

function isConfigName(name: string): boolean {
  return name === CONFIG_FILE || /^tsconfig.*\.json$/.test(name)
}

function isConfigFile(file: string, generator: Generator | undefined): boolean {
  return isConfigName(basename(file)) || (generator?.config.tsconfig === file)
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path)
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep))
}
