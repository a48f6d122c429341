import { GENERATED_HEADER } from './import-path.js'

/**
 * Runs the Standard Schema (zod 4, valibot, arktype, …) a function declares as
 * `input:` / `output:`: core 0.12.84 never executes those itself. Input
 * failures are core's UnprocessableContentError, so a job with invalid data
 * fails once, with every issue's path and message. The function receives the
 * schema's output (defaults and transforms applied).
 */
export function renderStandardSchemaValidation(): string {
  return `${GENERATED_HEADER}import { UnprocessableContentError } from '@pikku/core/errors'
import type { StandardSchemaV1 } from '@standard-schema/spec'

type AnyFunc = (services: any, data: any, wire: any) => Promise<any>

/**
 * Output is checked while NODE_ENV is not "production": a wrong result is a bug
 * to see in development, not a job to fail in production. Read without Node's
 * typings, which a project may not have.
 */
export const CHECK_OUTPUT = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.NODE_ENV !== 'production'

/**
 * On a function config with a Standard Schema input: parses data as the function would. A runtime
 * (pikku-bullmq) calls it where core validates JSON Schemas, before any permission, and marks the
 * wire with INPUT_PARSED so the function does not parse the parsed value again. Shared by Symbol.for.
 */
export const VALIDATE_INPUT = Symbol.for('pikku.validateInput')
export const INPUT_PARSED = Symbol.for('pikku.inputParsed')

export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  return typeof value === 'object' && value !== null && '~standard' in value
}

/** Wraps func so its data is validated (and parsed) by \`input\`, and its result by \`output\` in development. */
export function withStandardSchemas<F extends AnyFunc>(func: F, input: unknown, output: unknown): F {
  const inputSchema = isStandardSchema(input) ? input : undefined
  const outputSchema = CHECK_OUTPUT && isStandardSchema(output) ? output : undefined
  if (!inputSchema && !outputSchema) return func
  const wrapped = async (services: unknown, data: unknown, wire: { [INPUT_PARSED]?: boolean } | undefined) => {
    const parsed = inputSchema && !wire?.[INPUT_PARSED] ? await validate(inputSchema, data, 'Invalid data') : data
    const result = await func(services, parsed, wire)
    if (outputSchema) await validate(outputSchema, result, 'Invalid output')
    return result
  }
  return wrapped as F
}

/** The validator a runtime finds under VALIDATE_INPUT, or undefined when input is not a Standard Schema. */
export function inputValidator(input: unknown): ((data: unknown) => Promise<unknown>) | undefined {
  return isStandardSchema(input) ? (data) => validate(input, data, 'Invalid data') : undefined
}

async function validate(schema: StandardSchemaV1, value: unknown, what: string): Promise<unknown> {
  const result = await schema['~standard'].validate(value)
  if (!result.issues) return result.value
  const problems = result.issues.map((issue) => {
    const path = (issue.path ?? []).map((segment) => (typeof segment === 'object' ? segment.key : segment))
    const field = path.reduce<string>((at, key) => (typeof key === 'number' ? \`\${at}[\${key}]\` : at ? \`\${at}.\${String(key)}\` : String(key)), '')
    return \`\${field || 'data'}: \${issue.message}\`
  })
  throw new UnprocessableContentError(\`\${what}: \${problems.join('; ')}\`)
}
`
}
