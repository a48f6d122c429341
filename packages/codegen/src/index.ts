export { CodegenError, formatDiagnostic, type Diagnostic } from './codegen-error.js'
export { generate, OUTPUT_FILES, type GenerateResult } from './generate.js'
export { loadConfig, type PikkuConfig } from './load-config.js'
export type * from './project-model.js'
