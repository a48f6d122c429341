import type { PikkuFunctionInfo } from '../project-model.js'
import { GENERATED_HEADER } from './import-path.js'
import { inputSchemaName, outputSchemaName } from './schema-names.js'
import { tagMeta } from './tag-meta.js'

/**
 * Core's function meta: runQueueJob refuses a job whose function has no entry
 * here, and validates the data against inputSchemaName before the function runs
 * (a workflow's input too, each time its run is orchestrated). A workflow step
 * runs as a job of its own only when its function's entry has workflowQueued; wire.rpc.exposed
 * calls only a function whose entry has expose.
 */
export function renderFunctionsMeta(functions: readonly PikkuFunctionInfo[]): string {
  const meta = Object.fromEntries(
    functions.map((f) => [
      f.id,
      {
        pikkuFuncId: f.id,
        sessionless: f.sessionless,
        inputSchemaName: inputSchemaName(f),
        outputSchemaName: outputSchemaName(f),
        ...tagMeta(f.tags),
        ...(f.workflowQueued ? { workflowQueued: true } : {}),
        ...(f.expose ? { expose: true } : {}),
      },
    ]),
  )
  return `${GENERATED_HEADER}import type { FunctionsMeta } from '@pikku/core'
import { pikkuState } from '@pikku/core/ecosystem'

pikkuState(null, 'function', 'meta', ${JSON.stringify(meta, null, 2)} satisfies FunctionsMeta)
`
}
