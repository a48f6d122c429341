import { GENERATED_HEADER } from './import-path.js'

/**
 * Core's SchemaService, on ajv: core hands it each function's registered input
 * schema and the job data before the function runs. A failure is core's
 * UnprocessableContentError, which the BullMQ runtime fails without retries;
 * its message names each field and what was expected, because it becomes the
 * job's failedReason and is all a producer sees.
 */
export function renderJsonSchemaService(): string {
  return `${GENERATED_HEADER}import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { MissingSchemaError, UnprocessableContentError } from '@pikku/core/errors'
import type { SchemaService } from '@pikku/core/services'

/** At most this many problems are listed in one message; the rest are counted. */
const MAX_LISTED = 5

interface Compiled {
  schema: unknown
  validate: ValidateFunction
}

export class JsonSchemaService implements SchemaService {
  // verbose: errors carry the failing value and schema, which the messages quote.
  private readonly ajv = new Ajv({ allErrors: true, verbose: true, strict: false })
  private readonly compiled = new Map<string, Compiled>()

  /** Core calls this before every validation: compile once per schema object. */
  compileSchema(name: string, schema: unknown): void {
    if (this.compiled.get(name)?.schema === schema) return
    this.compiled.set(name, { schema, validate: this.ajv.compile(schema as object) })
  }

  validateSchema(name: string, data: unknown): void {
    const compiled = this.compiled.get(name)
    if (!compiled) throw new MissingSchemaError(\`Schema '\${name}' was never compiled; run pikku to regenerate .pikku/\`)
    if (compiled.validate(data)) return
    throw new UnprocessableContentError(\`Invalid data for \${name}: \${describeErrors(compiled.validate.errors ?? [])}\`)
  }

  getSchemaNames(): Set<string> {
    return new Set(this.compiled.keys())
  }

  getSchemaKeys(name: string): string[] {
    const schema = this.compiled.get(name)?.schema as { properties?: Record<string, unknown> } | undefined
    return Object.keys(schema?.properties ?? {})
  }
}

/** "message: required, expected string; nope: not an expected field (expected: message, fail)". */
export function describeErrors(errors: readonly ErrorObject[]): string {
  // A union reports once, as a whole: its branches' own failures would only contradict each other.
  const unions = errors.filter((e) => e.keyword === 'anyOf').map((e) => \`\${e.schemaPath}/\`)
  const relevant = errors.filter((e) => !unions.some((union) => e.schemaPath.startsWith(union)))
  const problems = [...new Set(relevant.map(describeError))]
  const listed = problems.slice(0, MAX_LISTED).join('; ')
  return problems.length > MAX_LISTED ? \`\${listed}; and \${problems.length - MAX_LISTED} more\` : listed
}

function describeError(error: ErrorObject): string {
  const at = fieldPath(error.instancePath)
  const params = error.params as Record<string, unknown>
  const parent = error.parentSchema as { properties?: Record<string, unknown> } | undefined
  switch (error.keyword) {
    case 'required': {
      const field = String(params.missingProperty)
      return \`\${join(at, field)}: required, expected \${describeSchema(parent?.properties?.[field])}\`
    }
    case 'additionalProperties': {
      const expected = Object.keys(parent?.properties ?? {})
      const hint = expected.length > 0 ? \` (expected: \${expected.join(', ')})\` : ''
      return \`\${join(at, String(params.additionalProperty))}: not an expected field\${hint}\`
    }
    case 'type':
      return \`\${at || 'data'}: expected \${String(params.type)}, got \${typeOf(error.data)}\`
    case 'const':
      return \`\${at || 'data'}: expected \${JSON.stringify(params.allowedValue)}, got \${JSON.stringify(error.data)}\`
    case 'enum':
      return \`\${at || 'data'}: expected one of \${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got \${JSON.stringify(error.data)}\`
    case 'anyOf':
      return \`\${at || 'data'}: expected \${describeSchema(error.parentSchema)}, got \${typeOf(error.data)}\`
    default:
      return \`\${at || 'data'}: \${error.message ?? 'is invalid'}\`
  }
}

/** "/orders/0/country" → "orders[0].country". */
function fieldPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\\d+$/.test(part) ? \`\${path}[\${part}]\` : join(path, part)), '')
}

function join(path: string, field: string): string {
  return path ? \`\${path}.\${field}\` : field
}

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value === 'string' ? \`string \${JSON.stringify(value.length > 40 ? \`\${value.slice(0, 40)}…\` : value)}\` : typeof value
}

function describeSchema(schema: unknown): string {
  if (typeof schema !== 'object' || schema === null) return 'a value'
  const s = schema as { type?: unknown; const?: unknown; enum?: unknown[]; anyOf?: unknown[]; items?: unknown; $ref?: string }
  if ('const' in s) return JSON.stringify(s.const)
  if (s.enum) return \`one of \${s.enum.map((v) => JSON.stringify(v)).join(', ')}\`
  if (s.anyOf) return s.anyOf.map(describeSchema).join(' or ')
  if (s.type === 'array') return \`array of \${describeSchema(s.items)}\`
  if (typeof s.type === 'string') return s.type
  return 'a value'
}
`
}
