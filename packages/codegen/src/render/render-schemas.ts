import type { PikkuFunctionInfo } from '../project-model.js'
import { GENERATED_HEADER } from './import-path.js'
import { inputSchemaName, outputSchemaName } from './schema-names.js'

/**
 * Registers each function's JSON Schemas with core, under the names its meta
 * refers to. Written as code rather than .json files so the project needs no
 * JSON import attributes and the compiled build carries them along.
 */
export function renderSchemas(functions: readonly PikkuFunctionInfo[]): string {
  const calls: string[] = []
  for (const func of functions) {
    const input = inputSchemaName(func)
    const output = outputSchemaName(func)
    if (input) calls.push(`addSchema(${JSON.stringify(input)}, ${JSON.stringify(func.inputSchema, null, 2)})`)
    if (output) calls.push(`addSchema(${JSON.stringify(output)}, ${JSON.stringify(func.outputSchema, null, 2)})`)
  }
  return `${GENERATED_HEADER}import { addSchema } from '@pikku/core/schema'

${calls.join('\n\n')}
export {}
`
}
