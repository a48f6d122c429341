import { statSync } from 'node:fs'
import ts from 'typescript'
import { CodegenError } from './codegen-error.js'
import type { PikkuConfig } from './load-config.js'

/** Used when the project has no tsconfig.json: what the template ships. */
const DEFAULT_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
}

/**
 * Codegen only asks the checker about types; it never emits or reports the
 * project's type errors (tsc does that), so these always win over tsconfig.
 */
const FORCED_OPTIONS: ts.CompilerOptions = {
  noEmit: true,
  // Only the project's own files are read (see ProjectHost): no @types packages either.
  types: [],
  // What JSON-shaped input types can refer to (Array, Record, Partial, Promise, Awaited; Map and Set
  // to name them in errors): parsing the project's whole lib (ES2022 is some 40 files) would be
  // most of a run's time.
  lib: ['lib.es5.d.ts', 'lib.es2015.collection.d.ts'],
  skipLibCheck: true,
  incremental: false,
  composite: false,
  declaration: false,
  sourceMap: false,
  tsBuildInfoFile: undefined,
}

/** The project's compiler options: its tsconfig (paths, module settings, lib, types) with FORCED_OPTIONS on top. */
export function compilerOptionsOf(config: PikkuConfig): ts.CompilerOptions {
  if (!config.tsconfig) return { ...DEFAULT_OPTIONS, ...FORCED_OPTIONS }
  const problems: ts.Diagnostic[] = []
  const parsed = ts.getParsedCommandLineOfConfigFile(config.tsconfig, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => problems.push(d),
  })
  const errors = [...problems, ...(parsed?.errors ?? [])].filter(
    // "No inputs were found" only means tsconfig's include does not list the sources codegen reads itself.
    (d) => d.category === ts.DiagnosticCategory.Error && d.code !== 18003,
  )
  if (!parsed || errors.length > 0) {
    throw new CodegenError(
      errors.map((d) => ({
        file: config.tsconfig!,
        line: 1,
        column: 1,
        message: `${ts.flattenDiagnosticMessageText(d.messageText, '\n')} (fix the tsconfig, or point "tsconfig" in pikku.config.json at another one)`,
      })),
    )
  }
  return { ...parsed.options, ...FORCED_OPTIONS }
}

/**
 * A compiler host that reads only the project's own files (imports of
 * packages stay unresolved), serves some files from memory (the definers'
 * declarations) and keeps parsed files between runs: a watch-mode run re-parses only the
 * files that changed, and the program reuses the rest.
 */
export class ProjectHost {
  readonly host: ts.CompilerHost
  private readonly overlays = new Map<string, string>()
  private readonly cache = new Map<string, { version: string; sourceFile: ts.SourceFile }>()
  private readonly resolutionCache: ts.ModuleResolutionCache

  constructor(readonly options: ts.CompilerOptions) {
    const base = ts.createCompilerHost(options, true)
    this.resolutionCache = ts.createModuleResolutionCache(base.getCurrentDirectory(), (f) => f, options)
    const overlays = this.overlays
    this.host = {
      ...base,
      fileExists: (file) => overlays.has(file) || base.fileExists(file),
      // Module resolution checks the folder first; .pikku/ may not exist yet.
      directoryExists: (dir) => [...overlays.keys()].some((file) => file.startsWith(`${dir}/`)) || (base.directoryExists?.(dir) ?? ts.sys.directoryExists(dir)),
      readFile: (file) => overlays.get(file) ?? base.readFile(file),
      getSourceFile: (file, languageVersion) => this.sourceFile(file, languageVersion, base),
      resolveModuleNameLiterals: (literals, containingFile, redirectedReference, compilerOptions, containingSourceFile) =>
        literals.map((literal) => {
          const mode = ts.getModeForUsageLocation(containingSourceFile, literal, compilerOptions)
          const resolved = ts.resolveModuleName(literal.text, containingFile, compilerOptions, this.host, this.resolutionCache, redirectedReference, mode)
          // Packages' typings (core, bullmq, zod, …) are never needed to find definers or
          // read input types, and loading them would make every run several times slower.
          return resolved.resolvedModule?.isExternalLibraryImport ? { resolvedModule: undefined } : resolved
        }),
    }
  }

  /** Where an import of `specifier` from `containingFile` leads (packages included), through the host's resolution cache. */
  resolveModule(specifier: string, containingFile: string): ts.ResolvedModuleFull | undefined {
    return ts.resolveModuleName(specifier, containingFile, this.options, this.host, this.resolutionCache, undefined, ts.ModuleKind.ESNext).resolvedModule
  }

  /** Serves these contents instead of what is on disk (or absent) at these paths. */
  setOverlays(files: ReadonlyMap<string, string>): void {
    // A file added since the last run must resolve now, so no resolution outlives a run.
    this.resolutionCache.clear()
    this.overlays.clear()
    for (const [path, content] of files) this.overlays.set(path, content)
  }

  private sourceFile(file: string, languageVersion: ts.ScriptTarget | ts.CreateSourceFileOptions, base: ts.CompilerHost): ts.SourceFile | undefined {
    const overlay = this.overlays.get(file)
    const version = overlay !== undefined ? `overlay:${overlay}` : modifiedTime(file)
    if (version === undefined) return undefined
    const cached = this.cache.get(file)
    if (cached && cached.version === version) return cached.sourceFile
    const sourceFile = overlay !== undefined
      ? ts.createSourceFile(file, overlay, languageVersion, true)
      : base.getSourceFile(file, languageVersion)
    if (sourceFile) this.cache.set(file, { version, sourceFile })
    return sourceFile
  }
}

function modifiedTime(file: string): string | undefined {
  try {
    const stat = statSync(file)
    return `${stat.mtimeMs}:${stat.size}`
  } catch {
    return undefined
  }
}
