/** A user mistake codegen can point at: printed as `file:line:col message`. */
export interface Diagnostic {
  file: string
  /** 1-based, as editors count. */
  line: number
  /** 1-based, as editors count. */
  column: number
  message: string
}

/** Thrown when the project cannot be generated; carries every problem found, not just the first. */
export class CodegenError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'))
    this.name = 'CodegenError'
  }
}

export function formatDiagnostic({ file, line, column, message }: Diagnostic): string {
  return `${file}:${line}:${column} ${message}`
}
