/**
 * The queues core 0.12.84's workflow engine sends a workflow's jobs to, named exactly as
 * core's routing names them (workflow-queue-routing.js): a job goes to the dedicated queue
 * only when queue meta has an entry under this name, else to a shared queue.
 */

/** Core's kebab case, which differs from most (`sendHTMLEmail` → `send-htmlemail`): the names must match. */
function coreKebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()
}

/** The queue a workflow's orchestration jobs (start, resume after each step) run on. */
export function orchestratorQueueName(workflowName: string): string {
  return `wf-orchestrator-${coreKebab(workflowName)}`
}

/** The queue the steps of a `workflowQueued: true` function run on. */
export function stepQueueName(functionId: string): string {
  return `wf-step-${coreKebab(functionId)}`
}

/** The function ids core's wiring registers for these queues (it keys them by workflow or function). */
export function orchestratorFunctionId(workflowName: string): string {
  return `pikkuWorkflowOrchestrator:${workflowName}`
}

export function stepWorkerFunctionId(functionId: string): string {
  return `pikkuWorkflowStepWorker:${functionId}`
}
