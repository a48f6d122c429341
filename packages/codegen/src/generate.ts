import { join, relative } from 'node:path'
import { inspectProject } from './inspect-project.js'
import { loadConfig } from './load-config.js'
import type { ProjectModel } from './project-model.js'
import { renderBootstrap } from './render/render-bootstrap.js'
import { renderFunctionTypes } from './render/render-function-types.js'
import { renderFunctionsMeta } from './render/render-functions-meta.js'
import { renderPikkuQueue } from './render/render-pikku-queue.js'
import { renderQueueMap } from './render/render-queue-map.js'
import { renderQueueMeta } from './render/render-queue-meta.js'
import { renderQueueWirings } from './render/render-queue-wirings.js'
import { writeOutput } from './write-output.js'

/** Paths inside outDir; user code imports the first three. */
export const OUTPUT_FILES = {
  types: 'pikku-types.gen.ts',
  queue: 'pikku-queue.gen.ts',
  bootstrap: 'pikku-bootstrap.gen.ts',
  functionsMeta: 'function/pikku-functions-meta.gen.ts',
  queueMeta: 'queue/pikku-queue-workers-wirings-meta.gen.ts',
  queueWirings: 'queue/pikku-queue-workers-wirings.gen.ts',
  queueMap: 'queue/pikku-queue-map.gen.ts',
} as const

export interface GenerateResult {
  model: ProjectModel
  outDir: string
  changed: boolean
}

/** Inspects the project at rootDir and writes its .pikku/ folder. Throws CodegenError on user mistakes. */
export function generate(rootDir: string): GenerateResult {
  const config = loadConfig(rootDir)
  const model = inspectProject(config)
  const files = renderFiles(config.outDir, model)
  const changed = writeOutput(
    config.outDir,
    new Map([...files].map(([path, content]) => [relative(config.outDir, path), content])),
  )
  return { model, outDir: config.outDir, changed }
}

function renderFiles(outDir: string, model: ProjectModel): Map<string, string> {
  const path = Object.fromEntries(
    Object.entries(OUTPUT_FILES).map(([key, file]) => [key, join(outDir, file)]),
  ) as Record<keyof typeof OUTPUT_FILES, string>
  return new Map([
    [path.types, renderFunctionTypes(path.types, model.types)],
    [path.functionsMeta, renderFunctionsMeta(model.functions)],
    [path.queueMeta, renderQueueMeta(model.queueWorkers)],
    [path.queueWirings, renderQueueWirings(path.queueWirings, model.queueWorkers)],
    [path.queueMap, renderQueueMap(path.queueMap, path.types, model.queueWorkers, model.functions)],
    [path.queue, renderPikkuQueue(path.queue, path.queueMap)],
    [path.bootstrap, renderBootstrap(path.bootstrap, [path.functionsMeta, path.queueMeta], [path.queueWirings])],
  ])
}
