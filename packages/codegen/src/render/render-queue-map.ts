import { compareCodePoints } from '../compare-code-points.js'
import type { PikkuFunctionInfo, QueueWorkerInfo } from '../project-model.js'
import { FunctionIoTypes } from './function-io-types.js'

/** Each queue's input and output types, printed as FunctionIoTypes prints them. */
export function renderQueueMap(
  outFile: string,
  typesFile: string,
  workers: readonly QueueWorkerInfo[],
  functions: readonly PikkuFunctionInfo[],
): string {
  const byId = new Map(functions.map((f) => [f.id, f]))
  const types = new FunctionIoTypes(outFile, typesFile)
  const entries = [...workers]
    .sort((a, b) => compareCodePoints(a.name, b.name))
    .map((worker) => {
      const func = byId.get(worker.functionId)!
      return `  readonly ${JSON.stringify(worker.name)}: {\n    readonly input: ${types.input(func)}\n    readonly output: ${types.output(func)}\n  }`
    })
  return `${types.preamble()}
export interface QueueMap {
${entries.join('\n')}
}

export type QueueName = keyof QueueMap
`
}
