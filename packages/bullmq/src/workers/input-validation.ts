/**
 * The generated definers put a function's Standard Schema validator on its
 * config under VALIDATE_INPUT (pikku-codegen's render-standard-schema-validation.ts;
 * shared by Symbol.for). The attempt runs it where core validates JSON Schemas,
 * before any permission, and marks the wire with INPUT_PARSED so the function
 * receives the parsed value without parsing it again.
 */
export const VALIDATE_INPUT = Symbol.for('pikku.validateInput')
export const INPUT_PARSED = Symbol.for('pikku.inputParsed')

export type InputValidator = (data: unknown) => Promise<unknown>

export function inputValidatorOf(funcConfig: object | undefined): InputValidator | undefined {
  const validator = (funcConfig as { [VALIDATE_INPUT]?: unknown } | undefined)?.[VALIDATE_INPUT]
  return typeof validator === 'function' ? (validator as InputValidator) : undefined
}
