import type { JsonSchema } from '../json-schema-from-type.js'

/**
 * Prints the TypeScript type of the data a JSON Schema accepts (the schemas
 * codegen generates, not JSON Schema at large). The queue map is typed this
 * way rather than through `typeof` the function, so a function that enqueues
 * jobs through the typed producer does not make its own type circular.
 * `definitions` are printed as the named types in `named`.
 */
export function typeFromJsonSchema(schema: JsonSchema, named: (definition: string) => string, indent = ''): string {
  if (schema.$ref) return named(schema.$ref.replace('#/definitions/', ''))
  if ('const' in schema) return JSON.stringify(schema.const)
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ')
  if (schema.anyOf) return schema.anyOf.map((option) => parenthesise(typeFromJsonSchema(option, named, indent))).join(' | ')
  switch (schema.type) {
    case 'string':
      return 'string'
    case 'number':
    case 'integer':
      return 'number'
    case 'boolean':
      return 'boolean'
    case 'null':
      return 'null'
    case 'array':
      if (Array.isArray(schema.items)) {
        const minItems = schema.minItems ?? schema.items.length
        return `[${schema.items.map((item, i) => `${typeFromJsonSchema(item, named, indent)}${i >= minItems ? '?' : ''}`).join(', ')}]`
      }
      return `Array<${typeFromJsonSchema(schema.items ?? {}, named, indent)}>`
    case 'object':
      return objectType(schema, named, indent)
    default:
      return 'unknown'
  }
}

function objectType(schema: JsonSchema, named: (definition: string) => string, indent: string): string {
  const inner = `${indent}  `
  const required = new Set(schema.required ?? [])
  const lines = Object.entries(schema.properties ?? {}).map(
    ([key, value]) => `${inner}${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}${required.has(key) ? '' : '?'}: ${typeFromJsonSchema(value, named, inner)}`,
  )
  if (schema.additionalProperties && schema.additionalProperties !== true) {
    lines.push(`${inner}[key: string]: ${typeFromJsonSchema(schema.additionalProperties, named, inner)}`)
  } else if (schema.additionalProperties === true) {
    lines.push(`${inner}[key: string]: unknown`)
  }
  return lines.length === 0 ? 'Record<string, never>' : `{\n${lines.join('\n')}\n${indent}}`
}

function parenthesise(type: string): string {
  return type.includes('|') && !type.startsWith('{') ? `(${type})` : type
}
