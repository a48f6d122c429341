import { GENERATED_HEADER, importPath } from './import-path.js'

/**
 * The typed workflow client: start() only accepts a workflow of the project and its input
 * type, waitForResult() resolves with its output type. It imports nothing but types, so a
 * client process can start and await runs without the workflows' code.
 */
export function renderPikkuWorkflow(outFile: string, workflowMapFile: string): string {
  return `${GENERATED_HEADER}import type { WorkflowRun, WorkflowRunStatus, WorkflowService } from '@pikku/core/workflow'
import type { WorkflowMap, WorkflowName } from '${importPath(outFile, workflowMapFile)}'

export type { WorkflowMap, WorkflowName }

/** What the typed client needs from the workflow service; pikku-bullmq's BullWorkflowService has it. */
export interface WorkflowRunner {
  startRun(name: string, input: unknown): Promise<{ runId: string }>
  getRunStatus(runId: string): Promise<WorkflowRunStatus | null>
  /** Resolves when the run is completed, failed, cancelled or suspended; rejects on timeout. */
  waitForRun(runId: string, options?: { timeoutMs?: number }): Promise<WorkflowRun>
  cancelRun(runId: string, reason?: string): Promise<boolean>
}

const RUNNER_METHODS = ['startRun', 'getRunStatus', 'waitForRun', 'cancelRun'] as const

export class PikkuWorkflows {
  constructor(private readonly workflowService: WorkflowService) {}

  /** Starts a run on the workers and returns its id; the run carries on whatever happens to this process. */
  start<Name extends WorkflowName>(name: Name, input: WorkflowMap[Name]['input']): Promise<{ runId: string }> {
    return this.runner().startRun(name, input)
  }

  /** The run's status and its steps', or null when there is no such run. */
  status(runId: string): Promise<WorkflowRunStatus | null> {
    return this.runner().getRunStatus(runId)
  }

  /**
   * Waits for the run to end: resolves with its output when it completed; rejects with its error
   * when it failed, when it was cancelled, when it is suspended, or on timeout.
   */
  async waitForResult<Name extends WorkflowName>(
    name: Name,
    runId: string,
    options: { timeoutMs?: number } = {},
  ): Promise<WorkflowMap[Name]['output']> {
    const run = await this.runner().waitForRun(runId, options)
    switch (run.status) {
      case 'completed':
        return run.output as WorkflowMap[Name]['output']
      case 'failed':
        throw new Error(run.error?.message ?? \`Workflow \${name} (run \${runId}) failed\`)
      case 'cancelled':
        throw new Error(\`Workflow \${name} (run \${runId}) was cancelled\${run.error?.message ? \`: \${run.error.message}\` : ''}\`)
      case 'suspended':
        throw new Error(\`Workflow \${name} (run \${runId}) is suspended\${run.error?.message ? \`: \${run.error.message}\` : ''}; it has no result until it is resumed\`)
      default:
        throw new Error(\`Workflow \${name} (run \${runId}) is still \${run.status}\`)
    }
  }

  /** Cancels a run: it is never orchestrated again. False if it had already ended. */
  cancel(runId: string, reason?: string): Promise<boolean> {
    return this.runner().cancelRun(runId, reason)
  }

  /** Core's WorkflowService has no client methods of its own: pikku-bullmq's adds them. */
  private runner(): WorkflowRunner {
    const service = this.workflowService as WorkflowService & Partial<WorkflowRunner>
    if (!RUNNER_METHODS.every((method) => typeof service[method] === 'function')) {
      throw new Error('This workflow service cannot start or await runs for a client: use the BullWorkflowService of pikku-bullmq (BullServiceFactory.getWorkflowService())')
    }
    return service as WorkflowService & WorkflowRunner
  }
}
`
}
