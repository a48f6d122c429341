import { compareCodePoints } from '../compare-code-points.js'
import type { JsonSchema } from '../json-schema-from-type.js'
import type { PikkuFunctionInfo } from '../project-model.js'
import { GENERATED_HEADER, importPath } from './import-path.js'
import { capitalise } from './schema-names.js'
import { typeFromJsonSchema } from './type-from-json-schema.js'

/**
 * Prints functions' input and output types for a generated map (the queue map, the workflow
 * maps). They are printed from the JSON Schemas (exactly the data that survives the trip
 * through Redis), so the map never refers back to the functions, and a function that uses the
 * map (enqueues jobs, runs steps, starts workflows) does not make its own type circular. Only
 * a Standard Schema input, or an output with no JSON form, is taken from `typeof` the function.
 * Collects the imports and named types the printed types need, for `preamble()`.
 */
export class FunctionIoTypes {
  private readonly imports = new Map<string, Set<string>>()
  private readonly namedTypes = new Map<string, string>()
  private readonly helpers = new Set<'FunctionInput' | 'FunctionOutput'>()

  constructor(
    private readonly outFile: string,
    private readonly typesFile: string,
  ) {}

  input(func: PikkuFunctionInfo): string {
    if (func.validation === 'json-schema') return this.printed(func, func.inputSchema!, 'Input')
    if (func.validation === 'standard-schema') return this.viaFunction(func, 'FunctionInput')
    return func.noInput ? 'void' : 'unknown'
  }

  output(func: PikkuFunctionInfo): string {
    if (func.output === 'schema') return this.printed(func, func.outputSchema!, 'Output')
    if (func.output === 'void' || func.output === 'unknown') return func.output
    return this.viaFunction(func, 'FunctionOutput')
  }

  /** The header, the imports and the named types: what goes above the map. */
  preamble(): string {
    const lines = [GENERATED_HEADER.trimEnd()]
    if (this.helpers.size > 0) lines.push(`import type { ${[...this.helpers].sort().join(', ')} } from '${importPath(this.outFile, this.typesFile)}'`)
    for (const [file, specs] of [...this.imports].sort(([a], [b]) => compareCodePoints(a, b))) {
      lines.push(`import type { ${[...specs].sort().join(', ')} } from '${importPath(this.outFile, file)}'`)
    }
    const named = [...this.namedTypes.values()]
    return `${lines.join('\n')}\n${named.length > 0 ? `\n${named.join('\n')}\n` : ''}`
  }

  private viaFunction(func: PikkuFunctionInfo, helper: 'FunctionInput' | 'FunctionOutput'): string {
    if (func.exportName === undefined) return 'unknown'
    this.helpers.add(helper)
    const local = `${func.id}Function`
    const spec = func.exportName === 'default' ? `default as ${local}` : func.exportName === local ? local : `${func.exportName} as ${local}`
    this.imports.set(func.file, (this.imports.get(func.file) ?? new Set()).add(spec))
    return `${helper}<typeof ${local}>`
  }

  private printed(func: PikkuFunctionInfo, schema: JsonSchema, suffix: string): string {
    const prefix = `${capitalise(func.id)}${suffix}`
    // Keyed by name: a function that is in the map twice (two queues) declares its types once.
    for (const [name, definition] of Object.entries(schema.definitions ?? {})) {
      this.namedTypes.set(`${prefix}${name}`, `type ${prefix}${name} = ${typeFromJsonSchema(definition, (d) => `${prefix}${d}`)}`)
    }
    return typeFromJsonSchema(schema, (d) => `${prefix}${d}`, '    ')
  }
}
