import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { CodegenError } from './codegen-error.js'

export const CONFIG_FILE = 'pikku.config.json'

export interface PikkuConfig {
  /** Absolute path of the folder holding pikku.config.json. */
  rootDir: string
  /** Absolute paths of the folders inspected for functions and wirings. Default: ["src"]. */
  srcDirectories: string[]
  /** Absolute path of the generated folder. Default: ".pikku". */
  outDir: string
  /** Absolute path of the tsconfig whose compiler options (paths, module settings) codegen uses. Default: "tsconfig.json", if present. */
  tsconfig: string | undefined
  /** Glob patterns, relative to the project root, of source files codegen skips. Default: DEFAULT_EXCLUDE. */
  exclude: string[]
}

/** Tests and specs never hold production wirings. */
export const DEFAULT_EXCLUDE = ['**/*.test.ts', '**/*.spec.ts', '**/*.test.mts', '**/*.spec.mts', '**/__tests__/**']

/** Reads and checks pikku.config.json in rootDir; every mistake is reported against that file. */
export function loadConfig(rootDir: string): PikkuConfig {
  const file = join(rootDir, CONFIG_FILE)
  const fail = (message: string): never => {
    throw new CodegenError([{ file, line: 1, column: 1, message }])
  }
  if (!existsSync(file)) {
    fail(`${CONFIG_FILE} not found. Run pikku from the project root, or create it: { "srcDirectories": ["src"], "outDir": ".pikku" }`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    fail(`${CONFIG_FILE} is not valid JSON: ${(error as Error).message}`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    fail(`${CONFIG_FILE} must hold a JSON object`)
  }
  const { srcDirectories = ['src'], outDir = '.pikku', tsconfig, exclude = DEFAULT_EXCLUDE, ...unknown } = raw as Record<string, unknown>
  const [unknownKey] = Object.keys(unknown)
  if (unknownKey !== undefined) {
    fail(`unknown key "${unknownKey}" in ${CONFIG_FILE}; the keys are srcDirectories, outDir, tsconfig and exclude`)
  }
  if (!Array.isArray(srcDirectories) || srcDirectories.length === 0 || !srcDirectories.every((d) => typeof d === 'string')) {
    fail('"srcDirectories" must be a non-empty array of folder paths, e.g. ["src"]')
  }
  if (typeof outDir !== 'string' || outDir.trim() === '' || resolve(rootDir, outDir) === resolve(rootDir)) {
    fail('"outDir" must be a folder path other than the project root, e.g. ".pikku"')
  }
  const dirs = (srcDirectories as string[]).map((dir) => resolve(rootDir, dir))
  for (const dir of dirs) {
    if (!existsSync(dir)) fail(`source directory ${dir} (from "srcDirectories") does not exist`)
  }
  if (tsconfig !== undefined && (typeof tsconfig !== 'string' || !existsSync(resolve(rootDir, tsconfig)))) {
    fail(`"tsconfig" must name an existing file, e.g. "tsconfig.json"; ${JSON.stringify(tsconfig)} was not found`)
  }
  if (!Array.isArray(exclude) || !exclude.every((p) => typeof p === 'string')) {
    fail('"exclude" must be an array of glob patterns, e.g. ["**/*.test.ts", "**/*.spec.ts"]')
  }
  const defaultTsconfig = join(rootDir, 'tsconfig.json')
  return {
    rootDir,
    srcDirectories: dirs,
    outDir: resolve(rootDir, outDir as string),
    tsconfig: typeof tsconfig === 'string' ? resolve(rootDir, tsconfig) : existsSync(defaultTsconfig) ? defaultTsconfig : undefined,
    exclude: exclude as string[],
  }
}
