import type { WorkflowsRuntimeMeta } from '@pikku/core/workflow'

type WorkflowRuntimeMeta = WorkflowsRuntimeMeta[string]

export type RedeployVerdict = { resume: true } | { resume: false; reason: string }

/**
 * What a run started on an earlier definition of its workflow (another `graphHash`) does once the
 * new one is deployed: it resumes on the new definition by step name, reusing every recorded step
 * result whose step the new definition still has, as long as it still has every step the run has
 * recorded. A run that recorded a step the new definition no longer has cannot be continued
 * faithfully (its past no longer fits its code): it fails, saying which step is gone.
 * Core 0.12.84 would instead fail every such run, or try to run a stored graph its graph runner
 * cannot execute. A definition whose step names codegen could not list (names computed at run time)
 * resumes by name without the check.
 */
export function judgeRedeploy(workflow: string, recordedStepNames: readonly string[], meta: WorkflowRuntimeMeta): RedeployVerdict {
  if (!meta.plannedSteps) return { resume: true }
  const planned = new Set(meta.plannedSteps.map((step: { stepName: string }) => step.stepName))
  for (const recorded of recordedStepNames) {
    const logical = logicalStepName(recorded)
    if (!planned.has(logical)) {
      return {
        resume: false,
        reason:
          `Workflow '${workflow}' was redeployed with a definition that has no step '${logical}', which this run already recorded: ` +
          `it cannot resume on the new definition. Start it again, or keep the step's name while runs of the old definition are in flight`,
      }
    }
  }
  return { resume: true }
}

/** A step's name as written: core suffixes repeats (`name#1`) and compensations (`name:onError`). */
function logicalStepName(stepName: string): string {
  return stepName.replace(/:onError$/, '').replace(/#\d+$/, '')
}
