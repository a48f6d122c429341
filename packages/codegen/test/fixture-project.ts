import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const HERE = dirname(fileURLToPath(import.meta.url))
export const CLI = join(HERE, '..', 'dist', 'cli.js')
export const FIXTURES = join(HERE, 'fixtures')
/** The workspace's node_modules, linked into each project so @pikku/core, zod and pikku-bullmq resolve as in a real one. */
const NODE_MODULES = join(HERE, '..', '..', '..', 'node_modules')

/** What a fixture gets when it brings no tsconfig.json: the template's settings. */
const DEFAULT_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2022'],
    types: ['node'],
    strict: true,
    noUnusedLocals: true,
    skipLibCheck: true,
    noEmit: true,
  },
  include: ['src', '.pikku'],
}

/**
 * A throwaway project: a copy of a fixture folder, or the given files, with
 * node_modules linked in and pikku.config.json (and, unless `tsconfig: false`,
 * a tsconfig.json) added when missing; removed by the returned `remove`.
 */
export function copyProject(source: string | Record<string, string>, { tsconfig = true } = {}): { root: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'pikku-codegen-'))
  if (typeof source === 'string') {
    cpSync(source, root, { recursive: true })
  } else {
    for (const [path, content] of Object.entries(source)) {
      mkdirSync(dirname(join(root, path)), { recursive: true })
      writeFileSync(join(root, path), content)
    }
  }
  if (!existsSync(join(root, 'pikku.config.json'))) {
    writeFileSync(join(root, 'pikku.config.json'), JSON.stringify({ srcDirectories: ['src'], outDir: '.pikku' }))
  }
  if (tsconfig && !existsSync(join(root, 'tsconfig.json'))) writeFileSync(join(root, 'tsconfig.json'), JSON.stringify(DEFAULT_TSCONFIG, null, 2))
  symlinkSync(NODE_MODULES, join(root, 'node_modules'))
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) }
}

export function pikku(cwd: string, args: string[] = []) {
  const { status, stdout, stderr } = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000 })
  return { status, stdout, stderr }
}

/** Parsed lib and package typings, shared by every fixture's type check so each costs only its own files. */
const sourceFileCache = new Map<string, ts.SourceFile>()

/** `tsc --noEmit` with the project's own tsconfig, in process; returns the formatted errors (empty when it type-checks). */
export function typeCheck(root: string): string {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!
  const host = ts.createCompilerHost(parsed.options, true)
  const getSourceFile = host.getSourceFile
  host.getSourceFile = (file, version, ...rest) => {
    const shared = file.includes('/node_modules/')
    const key = shared ? ts.sys.realpath!(file) : file
    const cached = shared ? sourceFileCache.get(key) : undefined
    if (cached) return cached
    const sourceFile = getSourceFile(file, version, ...rest)
    if (shared && sourceFile) sourceFileCache.set(key, sourceFile)
    return sourceFile
  }
  const program = ts.createProgram(parsed.fileNames, parsed.options, host)
  const diagnostics = ts.getPreEmitDiagnostics(program)
  return ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' })
}

export interface JobOutcome {
  state: string
  result: unknown
  failedReason: string | undefined
  attemptsMade: number
}

/** Boots the project's workers on Redis in a child process and runs the jobs listed in its fixture.json. */
export function runFixtureJobs(root: string, env: Record<string, string> = {}): {
  outcomes: JobOutcome[] | undefined
  scheduled: string[] | undefined
  runs: Record<string, unknown> | undefined
  output: string
} {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(HERE, 'run-fixture-jobs.ts'), root], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  })
  const output = `${run.stdout}\n${run.stderr}`
  const read = (prefix: string) => {
    const line = run.stdout.split('\n').find((l) => l.startsWith(`${prefix} `))
    return line ? JSON.parse(line.slice(prefix.length + 1)) : undefined
  }
  return { outcomes: read('OUTCOMES'), scheduled: read('SCHEDULED'), runs: read('RUNS'), output }
}
