import type { PikkuFunctionInfo } from '../project-model.js'

/** Core's naming for a function's schemas: `helloWorld` → `HelloWorldInput` / `HelloWorldOutput`. */
export function inputSchemaName(func: PikkuFunctionInfo): string | null {
  return func.inputSchema ? `${capitalise(func.id)}Input` : null
}

export function outputSchemaName(func: PikkuFunctionInfo): string | null {
  return func.outputSchema ? `${capitalise(func.id)}Output` : null
}

export function capitalise(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1)
}
