import { join, relative } from 'node:path'
import type ts from 'typescript'
import { inspectProject } from './inspect-project.js'
import { loadConfig, type PikkuConfig } from './load-config.js'
import { compilerOptionsOf, ProjectHost } from './project-host.js'
import type { Diagnostic } from './codegen-error.js'
import type { ApplicationTypes, ProjectModel } from './project-model.js'
import { renderBootstrap } from './render/render-bootstrap.js'
import { renderDefinerDeclarations } from './render/render-definer-declarations.js'
import { renderFunctionTypes } from './render/render-function-types.js'
import { renderFunctionsMeta } from './render/render-functions-meta.js'
import { renderHookFactories } from './render/render-hook-factories.js'
import { renderJsonSchemaService } from './render/render-json-schema-service.js'
import { generatedSpecifiers, renderLeafIndexes } from './render/render-leaf-indexes.js'
import { renderPikkuQueue } from './render/render-pikku-queue.js'
import { renderQueueMap } from './render/render-queue-map.js'
import { renderQueueMeta } from './render/render-queue-meta.js'
import { renderSchedulerMeta } from './render/render-scheduler-meta.js'
import { renderSchemas } from './render/render-schemas.js'
import { renderStandardSchemaValidation } from './render/render-standard-schema-validation.js'
import { renderPikkuWorkflow } from './render/render-pikku-workflow.js'
import { renderRpcMeta } from './render/render-rpc-meta.js'
import { renderWiringImports } from './render/render-wiring-imports.js'
import { renderWorkflowMap } from './render/render-workflow-map.js'
import { renderWorkflowMeta } from './render/render-workflow-meta.js'
import { renderWorkflowWirings } from './render/render-workflow-wirings.js'
import { writeOutput } from './write-output.js'

/**
 * Paths inside outDir. User code imports the first four (`#pikku/pikku-types.gen.js`, …) and the
 * leaves (`#pikku/function`, `#pikku/queue`, …; see render-leaf-indexes.ts), which re-export the first.
 */
export const OUTPUT_FILES = {
  types: 'pikku-types.gen.ts',
  queue: 'pikku-queue.gen.ts',
  workflow: 'pikku-workflow.gen.ts',
  bootstrap: 'pikku-bootstrap.gen.ts',
  hookFactories: 'middleware/pikku-hook-factories.gen.ts',
  functionsMeta: 'function/pikku-functions-meta.gen.ts',
  schemas: 'schemas/register.gen.ts',
  schemaService: 'schemas/json-schema-service.gen.ts',
  standardSchemaValidation: 'schemas/standard-schema-validation.gen.ts',
  queueMeta: 'queue/pikku-queue-workers-wirings-meta.gen.ts',
  queueWirings: 'queue/pikku-queue-workers-wirings.gen.ts',
  queueMap: 'queue/pikku-queue-map.gen.ts',
  schedulerMeta: 'scheduler/pikku-schedulers-meta.gen.ts',
  schedulerWirings: 'scheduler/pikku-schedulers-wirings.gen.ts',
  workflowsMeta: 'workflow/pikku-workflows-meta.gen.ts',
  workflowWirings: 'workflow/pikku-workflow-wirings.gen.ts',
  workflowMap: 'workflow/pikku-workflow-map.gen.ts',
  rpcMeta: 'rpc/pikku-rpc-meta.gen.ts',
} as const

type OutputPaths = Record<keyof typeof OUTPUT_FILES, string>

export interface GenerateResult {
  model: ProjectModel
  outDir: string
  changed: boolean
  /** What runs, but not as written, with what to write instead. */
  warnings: Diagnostic[]
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
    const leaves = renderLeafIndexes(config.outDir, paths)
    const outputs = new Set([...Object.values(paths), ...leaves.keys()])
    const { model, program, warnings } = inspectProject({
      config,
      host: this.host,
      typesFile: paths.types,
      // The leaves re-export the definers, so user code that imports `#pikku/function` resolves them too.
      overlays: new Map([[paths.types, renderDefinerDeclarations()], ...leaves]),
      oldProgram: this.program,
      generated: {
        files: outputs,
        specifiers: generatedSpecifiers([OUTPUT_FILES.types, OUTPUT_FILES.queue, OUTPUT_FILES.workflow, OUTPUT_FILES.bootstrap]),
      },
    })
    this.program = program
    const files = new Map([...this.staticFiles(model.types), ...leaves, ...renderModelFiles(paths, model)])
    const changed = writeOutput(
      config.outDir,
      new Map([...files].map(([path, content]) => [relative(config.outDir, path), content])),
    )
    return { model, outDir: config.outDir, changed, warnings }
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
  const byId = new Map(model.functions.map((f) => [f.id, f]))
  return new Map([
    [paths.functionsMeta, renderFunctionsMeta(model.functions)],
    [paths.schemas, renderSchemas(model.functions)],
    [paths.queueMeta, renderQueueMeta(model.queueWorkers, model.workflows, model.functions)],
    [paths.queueWirings, renderWiringImports(paths.queueWirings, model.queueWorkers)],
    [paths.schedulerMeta, renderSchedulerMeta(model.schedulers)],
    [paths.schedulerWirings, renderWiringImports(paths.schedulerWirings, model.schedulers)],
    [paths.queueMap, renderQueueMap(paths.queueMap, paths.types, model.queueWorkers, model.functions)],
    [paths.queue, renderPikkuQueue(paths.queue, paths.queueMap)],
    [paths.workflowsMeta, renderWorkflowMeta(model.workflows)],
    [paths.rpcMeta, renderRpcMeta(model.functions)],
    [paths.workflowMap, renderWorkflowMap(paths.workflowMap, paths.types, model.functions, model.workflows)],
    [paths.workflow, renderPikkuWorkflow(paths.workflow, paths.workflowMap)],
    [paths.workflowWirings, renderWorkflowWirings(paths.workflowWirings, paths.types, model.workflows, model.unwiredStepFunctions.map((id) => byId.get(id)!))],
    [paths.hookFactories, renderHookFactories(paths.hookFactories, model.hookFactories)],
    [paths.bootstrap, renderBootstrap(
        paths.bootstrap,
        [paths.functionsMeta, paths.schemas, paths.queueMeta, paths.schedulerMeta, paths.workflowsMeta, paths.rpcMeta],
        [...model.hookFiles, paths.hookFactories],
        [paths.queueWirings, paths.schedulerWirings, paths.workflowWirings],
      ),],
  ])
}
