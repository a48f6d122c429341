import type { PikkuFunctionInfo, QueueWorkerInfo } from '../project-model.js'
import { GENERATED_HEADER, importPath } from './import-path.js'

/** Each queue's input and output types, taken by inference from its worker function (no types are printed). */
export function renderQueueMap(
  outFile: string,
  typesFile: string,
  workers: readonly QueueWorkerInfo[],
  functions: readonly PikkuFunctionInfo[],
): string {
  const fileOf = new Map(functions.map((f) => [f.id, f.file]))
  const byFile = new Map<string, Set<string>>()
  for (const worker of workers) {
    const file = fileOf.get(worker.functionId)!
    byFile.set(file, (byFile.get(file) ?? new Set()).add(worker.functionId))
  }
  const imports = [...byFile]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, ids]) => `import type { ${[...ids].sort().join(', ')} } from '${importPath(outFile, file)}'`)
  const entries = [...workers]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(
      (w) =>
        `  readonly ${JSON.stringify(w.name)}: {\n    readonly input: FunctionInput<typeof ${w.functionId}>\n    readonly output: FunctionOutput<typeof ${w.functionId}>\n  }`,
    )
  return `${GENERATED_HEADER}import type { FunctionInput, FunctionOutput } from '${importPath(outFile, typesFile)}'
${imports.join('\n')}

export interface QueueMap {
${entries.join('\n')}
}

export type QueueName = keyof QueueMap
`
}
