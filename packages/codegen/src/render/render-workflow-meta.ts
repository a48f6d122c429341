import type { WorkflowInfo } from '../project-model.js'
import { GENERATED_HEADER } from './import-path.js'

/**
 * Core's workflow meta: addWorkflow skips a workflow with no entry here, startWorkflow refuses
 * one without a graphHash, and a run records the graphHash and plannedSteps it started on, which
 * the runtime compares with the deployed ones when it resumes the run.
 */
export function renderWorkflowMeta(workflows: readonly WorkflowInfo[]): string {
  const meta = Object.fromEntries(
    workflows.map((w) => [
      w.name,
      {
        name: w.name,
        pikkuFuncId: w.name,
        source: w.source,
        graphHash: w.graphHash,
        ...(w.plannedSteps ? { plannedSteps: w.plannedSteps } : {}),
      },
    ]),
  )
  return `${GENERATED_HEADER}import type { WorkflowsRuntimeMeta } from '@pikku/core/workflow'
import { pikkuState } from '@pikku/core/ecosystem'

pikkuState(null, 'workflows', 'meta', ${JSON.stringify(meta, null, 2)} satisfies WorkflowsRuntimeMeta)
`
}
