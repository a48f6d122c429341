import { GENERATED_HEADER, importPath } from './import-path.js'

/**
 * One import that prepares core: meta first, because wireQueueWorker reads
 * the queue meta when it is called and skips a worker that has none.
 */
export function renderBootstrap(outFile: string, metaFiles: readonly string[], wiringFiles: readonly string[]): string {
  const lines = [...metaFiles, ...wiringFiles].map((file) => `import '${importPath(outFile, file)}'`)
  return `${GENERATED_HEADER}${lines.join('\n')}
export {}
`
}
