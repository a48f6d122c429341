import { addFunction, pikkuState } from '@pikku/core/ecosystem'
import { wireQueueWorker } from '@pikku/core/queue'
import { wireScheduler } from '@pikku/core/scheduler'
import type { PikkuWorkerConfig } from '@pikku/core/queue'
import type { QueueWire } from '../workers/queue-wire.js'

/** Core's names: codegen writes queue meta under them, and core routes jobs by them. */
export const ORCHESTRATOR_QUEUE_PREFIX = 'wf-orchestrator-'
export const STEP_QUEUE_PREFIX = 'wf-step-'
/** The rpc core's sleeps schedule (`config.workflow.sleeperRPCName`'s default). */
export const SLEEPER_RPC = 'pikkuWorkflowSleeper'
/** The scheduled task that re-drives stalled runs and undispatched steps, once across replicas. */
export const RECOVERY_TASK = 'pikku-workflow-recovery'

/** What the queue functions call; BullWorkflowService implements it. */
export interface WorkflowJobRunner {
  orchestrate(runId: string, rpc: unknown): Promise<void>
  runQueuedStep(job: { runId: string; stepName: string; rpcName: string; data: unknown }, queue: QueueWire, rpc: unknown): Promise<void>
  completeSleep(runId: string, stepId: string): Promise<void>
  recover(): Promise<void>
}

export interface WorkflowQueueWiringOptions {
  /** Worker config of every workflow queue (concurrency, lockDuration, …). */
  queueConfig: PikkuWorkerConfig
  /** Per queue, merged over queueConfig. */
  queues: Record<string, PikkuWorkerConfig>
  recoveryIntervalMs: number
}

const helperMeta = (pikkuFuncId: string) => ({ pikkuFuncId, sessionless: true, functionType: 'helper', inputSchemaName: null, outputSchemaName: null })

/**
 * Wires a worker on each workflow queue codegen declared (`wf-orchestrator-<workflow>`,
 * `wf-step-<function>`), the sleeper rpc and the recovery task. Unlike core's own wiring it
 * wires no shared fallback queue (2 connections per process saved for each), and its step
 * function gets the BullMQ job, which the step's lease and final-attempt check need.
 * Returns the names of the queues it wired. A per-queue config for a queue it does not wire is an
 * error, not a setting silently ignored.
 */
export function wireWorkflowQueues(runner: WorkflowJobRunner, options: WorkflowQueueWiringOptions): string[] {
  const functionsMeta = pikkuState(null, 'function', 'meta') as Record<string, unknown>
  const registrations = pikkuState(null, 'queue', 'registrations')
  const register = (funcId: string, func: (services: unknown, data: any, wire: any) => Promise<void>) => {
    addFunction(funcId, { func })
    functionsMeta[funcId] ??= helperMeta(funcId)
  }
  const workflowQueues = Object.entries(pikkuState(null, 'queue', 'meta')).filter(
    ([queueName]) => (queueName.startsWith(ORCHESTRATOR_QUEUE_PREFIX) || queueName.startsWith(STEP_QUEUE_PREFIX)) && !registrations.has(queueName),
  )
  const names = workflowQueues.map(([queueName]) => queueName)
  const unknown = Object.keys(options.queues).filter((name) => !names.includes(name))
  if (unknown.length > 0) {
    throw new Error(
      `getWorkflowService({ queues }) names ${unknown.map((name) => `'${name}'`).join(', ')}, which ${unknown.length === 1 ? 'is not a workflow queue' : 'are not workflow queues'} of this app: ${names.length > 0 ? `they are ${names.join(', ')}` : 'it has none (run `pikku` after adding a workflow)'}`,
    )
  }
  for (const [queueName, entry] of workflowQueues) {
    const isOrchestrator = queueName.startsWith(ORCHESTRATOR_QUEUE_PREFIX)
    const func = isOrchestrator
      ? async (_services: unknown, data: { runId: string }, wire: { rpc: unknown }) => runner.orchestrate(data.runId, wire.rpc)
      : async (_services: unknown, data: { runId: string; stepName: string; rpcName: string; data: unknown }, wire: { rpc: unknown; queue: QueueWire }) =>
          runner.runQueuedStep(data, wire.queue, wire.rpc)
    register(entry.pikkuFuncId, func)
    wireQueueWorker({ name: queueName, func: { func }, config: { ...options.queueConfig, ...options.queues[queueName] } } as never)
  }
  register(SLEEPER_RPC, async (_services, data: { runId: string; stepId: string }) => runner.completeSleep(data.runId, data.stepId))
  const rpcMeta = pikkuState(null, 'rpc', 'meta') as Record<string, string>
  rpcMeta[SLEEPER_RPC] ??= SLEEPER_RPC

  if (!pikkuState(null, 'scheduler', 'tasks').has(RECOVERY_TASK)) {
    const schedulerMeta = pikkuState(null, 'scheduler', 'meta') as Record<string, unknown>
    schedulerMeta[RECOVERY_TASK] = { name: RECOVERY_TASK, pikkuFuncId: RECOVERY_TASK }
    const recover = async () => runner.recover()
    register(RECOVERY_TASK, recover)
    wireScheduler({ name: RECOVERY_TASK, every: options.recoveryIntervalMs, func: { func: recover } } as never)
  }
  return names
}
