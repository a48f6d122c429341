import { GENERATED_HEADER, importPath } from './import-path.js'

/**
 * One import that prepares core, in this order: meta, because wireQueueWorker
 * and addWorkflow read the queue and workflow meta when they are called; then
 * the files that add global and tag middleware and permissions, and the module
 * that calls the hook factories, because core caches each queue's middleware
 * on its first job; then the wirings.
 */
export function renderBootstrap(
  outFile: string,
  metaFiles: readonly string[],
  hookFiles: readonly string[],
  wiringFiles: readonly string[],
): string {
  const lines = [...metaFiles, ...hookFiles, ...wiringFiles].map((file) => `import '${importPath(outFile, file)}'`)
  return `${GENERATED_HEADER}${lines.join('\n')}
export {}
`
}
