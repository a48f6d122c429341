import { compareCodePoints } from '../compare-code-points.js'
import type { JsonSchema } from '../json-schema-from-type.js'
import type { PikkuFunctionInfo, QueueWorkerInfo } from '../project-model.js'
import { GENERATED_HEADER, importPath } from './import-path.js'
import { capitalise } from './schema-names.js'
import { typeFromJsonSchema } from './type-from-json-schema.js'

/**
 * Each queue's input and output types. They are printed from the JSON Schemas
 * (exactly the data that survives the trip through Redis), so the map never
 * refers back to the functions, and a function that enqueues jobs through the
 * typed producer does not make its own type circular. Only a Standard Schema
 * input, or an output with no JSON form, is taken from `typeof` the function.
 */
export function renderQueueMap(
  outFile: string,
  typesFile: string,
  workers: readonly QueueWorkerInfo[],
  functions: readonly PikkuFunctionInfo[],
): string {
  const byId = new Map(functions.map((f) => [f.id, f]))
  const imports = new Map<string, Set<string>>()
  const namedTypes: string[] = []
  const helpers = new Set<string>()
  const viaFunction = (func: PikkuFunctionInfo, helper: 'FunctionInput' | 'FunctionOutput'): string => {
    if (func.exportName === undefined) return 'unknown'
    helpers.add(helper)
    const local = `${func.id}Function`
    const spec = func.exportName === 'default' ? `default as ${local}` : func.exportName === local ? local : `${func.exportName} as ${local}`
    imports.set(func.file, (imports.get(func.file) ?? new Set()).add(spec))
    return `${helper}<typeof ${local}>`
  }
  const printed = (func: PikkuFunctionInfo, schema: JsonSchema, suffix: string): string => {
    const prefix = `${capitalise(func.id)}${suffix}`
    for (const [name, definition] of Object.entries(schema.definitions ?? {})) {
      namedTypes.push(`type ${prefix}${name} = ${typeFromJsonSchema(definition, (d) => `${prefix}${d}`)}`)
    }
    return typeFromJsonSchema(schema, (d) => `${prefix}${d}`, '    ')
  }

  const entries = [...workers]
    .sort((a, b) => compareCodePoints(a.name, b.name))
    .map((worker) => {
      const func = byId.get(worker.functionId)!
      const input =
        func.validation === 'json-schema' ? printed(func, func.inputSchema!, 'Input')
        : func.validation === 'standard-schema' ? viaFunction(func, 'FunctionInput')
        : func.noInput ? 'void'
        : 'unknown'
      const output =
        func.output === 'schema' ? printed(func, func.outputSchema!, 'Output')
        : func.output === 'void' ? 'void'
        : func.output === 'unknown' ? 'unknown'
        : viaFunction(func, 'FunctionOutput')
      return `  readonly ${JSON.stringify(worker.name)}: {\n    readonly input: ${input}\n    readonly output: ${output}\n  }`
    })

  const lines = [GENERATED_HEADER.trimEnd()]
  if (helpers.size > 0) lines.push(`import type { ${[...helpers].sort().join(', ')} } from '${importPath(outFile, typesFile)}'`)
  for (const [file, specs] of [...imports].sort(([a], [b]) => compareCodePoints(a, b))) {
    lines.push(`import type { ${[...specs].sort().join(', ')} } from '${importPath(outFile, file)}'`)
  }
  return `${lines.join('\n')}
${namedTypes.length > 0 ? `\n${namedTypes.join('\n')}\n` : ''}
export interface QueueMap {
${entries.join('\n')}
}

export type QueueName = keyof QueueMap
`
}
