import { join, relative } from 'node:path'
import type ts from 'typescript'
import { inspectProject } from './inspect-project.js'
import { loadConfig, type PikkuConfig } from './load-config.js'
import { compilerOptionsOf, ProjectHost } from './project-host.js'
import type { ApplicationTypes, ProjectModel } from './project-model.js'
import { renderBootstrap } from './render/render-bootstrap.js'
import { renderDefinerDeclarations } from './render/render-definer-declarations.js'
import { renderFunctionTypes } from './render/render-function-types.js'
import { renderFunctionsMeta } from './render/render-functions-meta.js'
import { renderJsonSchemaService } from './render/render-json-schema-service.js'
import { renderPikkuQueue } from './render/render-pikku-queue.js'
import { renderQueueMap } from './render/render-queue-map.js'
import { renderQueueMeta } from './render/render-queue-meta.js'
import { renderSchedulerMeta } from './render/render-scheduler-meta.js'
import { renderSchemas } from './render/render-schemas.js'
import { renderStandardSchemaValidation } from './render/render-standard-schema-validation.js'
import { renderWiringImports } from './render/render-wiring-imports.js'
import { writeOutput } from './write-output.js'

/** Paths inside outDir; user code imports the first three. */
export const OUTPUT_FILES = {
  types: 'pikku-types.gen.ts',
  queue: 'pikku-queue.gen.ts',
  bootstrap: 'pikku-bootstrap.gen.ts',
  functionsMeta: 'function/pikku-functions-meta.gen.ts',
  schemas: 'schemas/register.gen.ts',
  schemaService: 'schemas/json-schema-service.gen.ts',
  standardSchemaValidation: 'schemas/standard-schema-validation.gen.ts',
  queueMeta: 'queue/pikku-queue-workers-wirings-meta.gen.ts',
  queueWirings: 'queue/pikku-queue-workers-wirings.gen.ts',
  queueMap: 'queue/pikku-queue-map.gen.ts',
  schedulerMeta: 'scheduler/pikku-schedulers-meta.gen.ts',
  schedulerWirings: 'scheduler/pikku-schedulers-wirings.gen.ts',
} as const

type OutputPaths = Record<keyof typeof OUTPUT_FILES, string>

export interface GenerateResult {
  model: ProjectModel
  outDir: string
  changed: boolean
}

/** Inspects the project at rootDir and writes its .pikku/ folder. Throws CodegenError on user mistakes. */
export function generate(rootDir: string): GenerateResult {
  return new Generator(loadConfig(rootDir)).run()
}

/**
 * One project's codegen, kept alive in watch mode: it holds the parsed files
 * and the last program, so a run after an edit re-reads only what changed.
 */
export class Generator {
  private readonly host: ProjectHost
  private readonly paths: OutputPaths
  private program: ts.Program | undefined

  constructor(readonly config: PikkuConfig) {
    this.host = new ProjectHost(compilerOptionsOf(config))
    this.paths = Object.fromEntries(
      Object.entries(OUTPUT_FILES).map(([key, file]) => [key, join(config.outDir, file)]),
    ) as OutputPaths
  }

  run(): GenerateResult {
    const { config, paths } = this
    const { model, program } = inspectProject({
      config,
      host: this.host,
      typesFile: paths.types,
      overlays: new Map([[paths.types, renderDefinerDeclarations()]]),
      oldProgram: this.program,
    })
    this.program = program
    const files = new Map([...this.staticFiles(model.types), ...renderModelFiles(paths, model)])
    const changed = writeOutput(
      config.outDir,
      new Map([...files].map(([path, content]) => [relative(config.outDir, path), content])),
    )
    return { model, outDir: config.outDir, changed }
  }

  /** The files that depend only on the application types. */
  private staticFiles(types: ApplicationTypes): Map<string, string> {
    const { paths } = this
    return new Map([
      [paths.types, renderFunctionTypes(paths.types, types, paths)],
      [paths.schemaService, renderJsonSchemaService()],
      [paths.standardSchemaValidation, renderStandardSchemaValidation()],
    ])
  }
}

function renderModelFiles(paths: OutputPaths, model: ProjectModel): Map<string, string> {
  return new Map([
    [paths.functionsMeta, renderFunctionsMeta(model.functions)],
    [paths.schemas, renderSchemas(model.functions)],
    [paths.queueMeta, renderQueueMeta(model.queueWorkers)],
    [paths.queueWirings, renderWiringImports(paths.queueWirings, model.queueWorkers)],
    [paths.schedulerMeta, renderSchedulerMeta(model.schedulers)],
    [paths.schedulerWirings, renderWiringImports(paths.schedulerWirings, model.schedulers)],
    [paths.queueMap, renderQueueMap(paths.queueMap, paths.types, model.queueWorkers, model.functions)],
    [paths.queue, renderPikkuQueue(paths.queue, paths.queueMap)],
    [paths.bootstrap, renderBootstrap(
        paths.bootstrap,
        [paths.functionsMeta, paths.schemas, paths.queueMeta, paths.schedulerMeta],
        model.hookFiles,
        [paths.queueWirings, paths.schedulerWirings],
      ),],
  ])
}
