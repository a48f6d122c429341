import { GENERATED_HEADER, importPath } from './import-path.js'

/** Imports every file that wires something, so loading this one module registers them all. */
export function renderWiringImports(outFile: string, wirings: ReadonlyArray<{ file: string }>): string {
  const files = [...new Set(wirings.map((w) => w.file))].sort()
  return `${GENERATED_HEADER}${files.map((file) => `import '${importPath(outFile, file)}'`).join('\n')}
export {}
`
}
