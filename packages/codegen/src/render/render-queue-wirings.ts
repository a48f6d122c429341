import type { QueueWorkerInfo } from '../project-model.js'
import { GENERATED_HEADER, importPath } from './import-path.js'

/** Imports every file that calls wireQueueWorker, so loading this one module registers all workers. */
export function renderQueueWirings(outFile: string, workers: readonly QueueWorkerInfo[]): string {
  const files = [...new Set(workers.map((w) => w.file))].sort()
  return `${GENERATED_HEADER}${files.map((file) => `import '${importPath(outFile, file)}'`).join('\n')}
export {}
`
}
