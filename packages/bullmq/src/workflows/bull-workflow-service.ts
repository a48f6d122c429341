import { parseDurationString, type SchedulerService, type SerializedError } from '@pikku/core'
import { getSingletonServices, pikkuState } from '@pikku/core/ecosystem'
import type { PikkuWorkerConfig, QueueService } from '@pikku/core/queue'
import type { Logger } from '@pikku/core/services'
import {
  deriveInvocationId,
  PikkuWorkflowService,
  type StepState,
  type WorkflowPlannedStep,
  type WorkflowRun,
  type WorkflowRunWire,
  type WorkflowsRuntimeMeta,
  type WorkflowStatus,
  type WorkflowStepOptions,
  type WorkflowVersionStatus,
} from '@pikku/core/workflow'
import { LockBusyError, RedisLock } from '../connection/redis-lock.js'
import { isNonRetryableError } from '../workers/non-retryable-error.js'
import type { QueueWire } from '../workers/queue-wire.js'
import { judgeRedeploy } from './redeploy-policy.js'
import { ORCHESTRATOR_QUEUE_PREFIX, SLEEPER_RPC, STEP_QUEUE_PREFIX, wireWorkflowQueues, type WorkflowJobRunner } from './workflow-queues.js'
import { DEFAULT_WORKFLOW_RETENTION_MS, isSleepStep, json, WorkflowRunStore, type StoreConnection, type StoredStep } from './workflow-run-store.js'

export { DEFAULT_WORKFLOW_RETENTION_MS }

type WorkflowRuntimeMeta = WorkflowsRuntimeMeta[string]

export interface BullWorkflowServiceOptions {
  /** The connection the store and locks use: the queue service's producer connection. */
  connection: StoreConnection
  /** Adds the orchestration jobs (the factory's queue service), so a client needs no singleton services. */
  queueService: QueueService
  /** The factory's BullMQ prefix; workflow keys go under `<prefix>:wf:`. */
  prefix: string
  logger: Logger
  /** How long a finished run and its steps stay in Redis. Default: 7 days. */
  retentionMs?: number
  /** TTL of a run's orchestration lock, renewed while held; a crashed holder frees it within this. Default: 15000 ms. */
  lockTtlMs?: number
  /** Delay before an orchestration that found the run's lock held runs again. Default: 250 ms. */
  lockRetryMs?: number
  /** A queued step's lease, renewed while it runs; past it another job may run the step. Default: 30000 ms. */
  stepLeaseMs?: number
  /** Worker config of every workflow queue. Default: `{ batchSize: 10 }` (10 jobs at a time per queue per process). */
  queueConfig?: PikkuWorkerConfig
  /** Worker config per workflow queue (e.g. `'wf-step-charge-card': { batchSize: 2 }`), over queueConfig. */
  queues?: Record<string, PikkuWorkerConfig>
  /** The recovery task: how often it runs (default 15 s) and when a run or step counts as stalled. */
  recovery?: {
    intervalMs?: number
    /** A running run with no activity for this long, and nothing in flight, is resumed. Default: 60000 ms. */
    stalledAfterMs?: number
    /** A step pending (recorded, not dispatched) for this long is dispatched again. Default: 30000 ms. */
    undispatchedAfterMs?: number
  }
}

/** Statuses that end an orchestration without failing the run (core's control-flow exceptions). */
const CONTROL_FLOW = new Set(['WorkflowAsyncException', 'WorkflowCancelledException', 'WorkflowSuspendedException', 'ChildWorkflowStartedException', 'RunNotRunningError'])
/** A step's input or the queue could not be dispatched: core records that as the run failing; here the orchestration is retried. */
const DISPATCH_FAILURE = /^Failed to dispatch workflow step/
const STEP_RUN_IDS_KEPT = 10_000
/** How long after a newer definition of a workflow first ran an older process hands its runs back. */
const HAND_BACK_WINDOW_MS = 10 * 60_000
/** Idle runs the recovery task reads per page, and at most per tick. */
const STALL_SCAN_PAGE = 100
const STALL_SCAN_MAX = 2_000

/** The run is not `running` any more (finished, cancelled, suspended): it is never orchestrated again. */
class RunNotRunningError extends Error {
  override readonly name = 'RunNotRunningError'
}

/**
 * Core 0.12.84's workflow engine (`PikkuWorkflowService`) on BullMQ and Redis. Core runs the
 * workflow functions; this class stores runs and steps ({@link WorkflowRunStore}), wires the
 * workflow queues, and closes the gaps where core would strand a run on this runtime:
 * - an orchestration takes the run's lock without waiting and, finding it held, runs again
 *   `lockRetryMs` later instead of failing the run; the lock is renewed while held;
 * - a run that is not `running` is never orchestrated again, and a finished run never changes;
 * - a queued step is claimed under a lease held by its BullMQ job: the same job given back after a
 *   crash or a forced shutdown runs it again, a duplicate job leaves it to the live holder;
 * - a step job that finds its step succeeded resumes the run (a crash between result and resume);
 * - a step's last attempt, or one that cannot succeed on retry (invalid input), resumes the run so
 *   the workflow sees the failure; an attempt that will be retried leaves the step `scheduled`;
 * - a recovery task (one BullMQ job scheduler, so once across replicas) resumes stalled runs and
 *   dispatches lost steps; a redeploy that changes a workflow is judged by {@link judgeRedeploy}.
 * Steps are at-least-once: a crash mid-step runs it again; its result is recorded once.
 */
export class BullWorkflowService extends PikkuWorkflowService implements WorkflowJobRunner {
  readonly store: WorkflowRunStore
  /** The workflow queues this process wired. */
  readonly queueNames: readonly string[]
  private readonly lock: RedisLock
  private readonly stepRunIds = new Map<string, string>()
  /** Orchestrations of a run that found its lock held in a row, for the next one's delay. */
  private readonly lockRetries = new Map<string, number>()
  /** Runs this process is orchestrating now. */
  private readonly orchestrating = new Set<string>()
  /** When each sleep this process scheduled ends, until core marks its step scheduled. */
  private readonly sleepEnds = new Map<string, number>()
  private versions: Promise<void> | undefined

  constructor(private readonly settings: BullWorkflowServiceOptions) {
    super({ wireQueues: false })
    this.store = new WorkflowRunStore(settings.connection, { prefix: settings.prefix, retentionMs: settings.retentionMs ?? DEFAULT_WORKFLOW_RETENTION_MS })
    this.lock = new RedisLock(settings.connection, settings.logger, { purpose: 'workflow lock', ttlMs: settings.lockTtlMs ?? 15_000, waitMs: 0 })
    this.queueNames = wireWorkflowQueues(this, {
      queueConfig: settings.queueConfig ?? { batchSize: 10 },
      queues: settings.queues ?? {},
      recoveryIntervalMs: settings.recovery?.intervalMs ?? 15_000,
    })
    // At start, so that a definition's first-seen time tells which deployment is newer (fitsThisDeployment).
    this.registerVersionsOnce().catch((error: Error) => this.logger.warn(`Workflow versions not registered yet (retried at the next run): ${error.message}`))
  }

  protected override get logger(): Logger {
    return this.settings.logger
  }

  /** Core's own wiring is replaced by {@link wireWorkflowQueues}, done once in the constructor. */
  override wireQueueWorkers(): void {}

  // ---- The client's surface (start, status, wait, cancel), usable from a process without the workflow's code.

  /** Starts a run of `name` on the workers; needs only the workflow's generated meta in this process. */
  async startRun(name: string, input: unknown, wire: WorkflowRunWire = { type: 'client' }): Promise<{ runId: string }> {
    const meta = workflowMeta(name)
    if (!meta.graphHash) throw new Error(`Workflow '${name}' has no graphHash in its meta: run \`pikku\` to generate it`)
    // So that workers still on an older definition know this one is newer (see fitsThisDeployment).
    await this.registerVersionsOnce()
    const runId = await this.createRun(name, input, false, meta.graphHash, wire, { deterministic: meta.deterministic, plannedSteps: meta.plannedSteps })
    await this.resumeWorkflow(runId, name)
    return { runId }
  }

  /** Resolves once the run is completed, failed, cancelled or suspended; rejects after `timeoutMs` (default: never). */
  async waitForRun(runId: string, { timeoutMs, pollMs = 1_000 }: { timeoutMs?: number; pollMs?: number } = {}): Promise<WorkflowRun> {
    const giveUpAt = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs
    for (let interval = 20; ; interval = Math.min(interval * 2, pollMs)) {
      const run = await this.getRun(runId)
      if (!run) throw new Error(`Workflow run ${runId} not found: it was never started, or retention removed it`)
      if (run.status !== 'running') return run
      if (Date.now() + interval > giveUpAt) throw new Error(`Workflow run ${runId} still running after ${timeoutMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, interval))
    }
  }

  /** Cancels a running run: it is never orchestrated again; a step already running finishes on its own. False if it had ended. */
  async cancelRun(runId: string, reason = 'Cancelled'): Promise<boolean> {
    return this.store.updateRunStatus(runId, 'cancelled', undefined, { message: reason, stack: '', code: 'WORKFLOW_CANCELLED' } as SerializedError)
  }

  /** Recent runs, newest first, optionally of one status. */
  async listRuns({ status, limit = 20 }: { status?: WorkflowStatus; limit?: number } = {}): Promise<WorkflowRun[]> {
    return this.store.listRuns({ status, limit })
  }

  /** How many runs have each status (finished ones within retention). */
  countRuns(): Promise<Record<WorkflowStatus, number>> {
    return this.store.countByStatus()
  }

  // ---- The queue jobs.

  orchestrate(runId: string, rpc: unknown): Promise<void> {
    return this.orchestrateWorkflow(runId, rpc)
  }

  override async orchestrateWorkflow(runId: string, rpc: any): Promise<void> {
    await this.registerVersionsOnce()
    const run = await this.getRun(runId)
    if (!run) {
      this.logger.warn(`Workflow run ${runId} not found (removed by retention, or never created): nothing to orchestrate`)
      return
    }
    if (run.status !== 'running' || !(await this.fitsThisDeployment(run))) return
    // Core resets a run's replay state (step ordinals, snapshot) when an orchestration begins, before
    // it takes the run's lock: a second one in this process would corrupt the first's.
    if (this.orchestrating.has(runId)) return this.orchestrateLater(run)
    this.orchestrating.add(runId)
    try {
      await this.runWorkflowJob(runId, rpc)
      this.lockRetries.delete(runId)
    } catch (error) {
      if (error instanceof Error && CONTROL_FLOW.has(error.name)) {
        this.lockRetries.delete(runId)
        return
      }
      if (error instanceof LockBusyError) return this.orchestrateLater(run)
      const after = await this.getRun(runId).catch(() => null)
      // The workflow itself failed, and that is recorded: retrying the orchestration would change nothing.
      if (after && after.status !== 'running') return
      // Redis, a dispatch, or a deployment without the workflow: BullMQ retries; the run stays running.
      throw error
    } finally {
      this.orchestrating.delete(runId)
    }
  }

  /** Another orchestration of the run is under way: this one runs again after it, doubling up to 5 s (the other may be a long inline step). */
  private async orchestrateLater(run: WorkflowRun): Promise<void> {
    const retries = this.lockRetries.get(run.id) ?? 0
    if (this.lockRetries.size >= STEP_RUN_IDS_KEPT) this.lockRetries.clear()
    this.lockRetries.set(run.id, retries + 1)
    await this.scheduleOrchestratorRetry(run.id, Math.min(5_000, (this.settings.lockRetryMs ?? 250) * 2 ** retries), run.workflow)
  }

  async runQueuedStep({ runId, stepName, rpcName, data }: { runId: string; stepName: string; rpcName: string; data: unknown }, queue: QueueWire, rpc: any): Promise<void> {
    const run = await this.getRun(runId)
    if (!run || run.status !== 'running') return
    const owner = `${queue.queueName}:${queue.jobId}`
    const leaseMs = this.settings.stepLeaseMs ?? 30_000
    let claim = await this.store.claimStep(runId, stepName, rpcName, owner, leaseMs)
    if (claim.outcome === 'failed') {
      // Core's dispatch of a step whose earlier attempt failed: a new attempt, claimed at once.
      const retry = await this.createRetryAttempt(claim.stepId, 'pending')
      claim = await this.store.claimStep(runId, stepName, rpcName, owner, leaseMs)
      if (claim.stepId !== retry.stepId) return
    }
    switch (claim.outcome) {
      case 'succeeded':
        await this.resumeWorkflow(runId, run.workflow)
        return
      case 'leased':
        return
      case 'missing':
        this.logger.warn(`Workflow run ${runId} has no step '${stepName}' (removed by retention?): job ${owner} does nothing`)
        return
      case 'mismatch':
        throw new Error(`Workflow run ${runId} step '${stepName}' was dispatched with another function than '${rpcName}'`)
    }
    const step = (await this.store.getStep(claim.stepId))!
    this.rememberRun(step.stepId, runId)
    const renewal = setInterval(() => void this.store.renewLease(step.stepId, owner, leaseMs).catch(() => undefined), Math.floor(leaseMs / 3))
    renewal.unref()
    let result: unknown
    try {
      result = await this.invokeStep(run, step, rpcName, data, rpc)
    } catch (error) {
      if (error instanceof Error && error.name === 'ChildWorkflowStartedException') return
      await this.setStepError(step.stepId, error instanceof Error ? error : new Error(String(error)))
      if (isNonRetryableError(error) || queue.attempt >= queue.maxAttempts) {
        // No attempt follows: the workflow sees the failure (its onError, then the run fails).
        await this.resumeWorkflow(runId, run.workflow)
      } else {
        // BullMQ retries this job after its backoff; until then the step waits, as a sleep does.
        const next = await this.createRetryAttempt(step.stepId, 'pending')
        await this.setStepScheduled(next.stepId)
      }
      throw error
    } finally {
      clearInterval(renewal)
    }
    // Outside the try: a failure from here on is not the step's. BullMQ retries the job, which
    // finds the result recorded (or, if it was not, runs the step again) and resumes the run.
    await this.setStepResult(step.stepId, result)
    await this.resumeWorkflow(runId, run.workflow)
  }

  async completeSleep(runId: string, stepId: string): Promise<void> {
    this.rememberRun(stepId, runId)
    await this.executeWorkflowSleepCompleted(runId, stepId)
  }

  /** The recovery task's tick. */
  async recover(): Promise<void> {
    const { recovery = {} } = this.settings
    const [{ resumed }, { redispatched }] = await Promise.all([
      this.recoverStalledRuns({ stalledAfterMs: recovery.stalledAfterMs ?? 60_000 }),
      this.relayUndispatchedSteps({ undispatchedAfterMs: recovery.undispatchedAfterMs ?? 30_000 }),
    ])
    if (resumed.length > 0) {
      this.logger.warn(`Workflow recovery: resumed stalled run(s) ${resumed.join(', ')}`)
      // Not resumed again on the next tick while the orchestration waits in a backlog.
      const now = Date.now()
      await Promise.all(resumed.map((runId) => this.store.markActiveUntil(runId, now)))
    }
    if (redispatched.length > 0) this.logger.warn(`Workflow recovery: dispatched the lost step(s) of run(s) ${redispatched.join(', ')}`)
    await this.store.trimFinished()
  }

  /** Core's sub-workflow handling and rpc invocation of a queued step (private in core). */
  private async invokeStep(run: WorkflowRun, step: StoredStep, rpcName: string, data: unknown, rpc: any): Promise<unknown> {
    if (pikkuState(null, 'workflows', 'meta')[rpcName]) {
      const childWire = { type: 'workflow', id: rpcName, parentRunId: run.id, parentStepId: step.stepId, pikkuUserId: run.wire?.pikkuUserId }
      const { runId: childRunId } = await this.startWorkflow(rpcName, data, childWire, rpc, { inline: false })
      await this.setStepChildRunId(step.stepId, childRunId)
      // The child's end sets this step's result and resumes the parent.
      throw Object.assign(new Error(`Child workflow started: ${childRunId}`), { name: 'ChildWorkflowStartedException' })
    }
    return rpc.rpcWithWire(rpcName, data, {
      ...(run.wire?.pikkuUserId ? { pikkuUserId: run.wire.pikkuUserId } : {}),
      workflowStep: {
        runId: run.id,
        stepId: step.stepId,
        invocationId: deriveInvocationId(run.id, step.stepName),
        attemptCount: step.attemptCount,
        fromInvocationId: step.fromStepName ? deriveInvocationId(run.id, step.fromStepName) : undefined,
      },
    })
  }

  /**
   * Whether this process may orchestrate a run started on another definition of its workflow.
   * A process older than the run's definition (mid rolling deploy: for 10 minutes after that
   * definition first ran) hands it back for a newer one; otherwise the redeploy policy applies.
   * Returns false when it handed back or failed the run.
   */
  private async fitsThisDeployment(run: WorkflowRun): Promise<boolean> {
    const meta = pikkuState(null, 'workflows', 'meta')[run.workflow] as WorkflowRuntimeMeta | undefined
    if (!meta?.graphHash || !run.graphHash || meta.graphHash === run.graphHash) return true
    const [ours, theirs] = await Promise.all([this.store.versionSeenAt(run.workflow, meta.graphHash), this.store.versionSeenAt(run.workflow, run.graphHash)])
    // Only while the newer definition is being rolled out: after a rollback, nothing newer comes.
    if (ours !== undefined && theirs !== undefined && theirs > ours && Date.now() - theirs < HAND_BACK_WINDOW_MS) {
      this.logger.warn(`Workflow run ${run.id} was started on a newer definition of '${run.workflow}' than this process has: handed back for an updated worker`)
      await this.scheduleOrchestratorRetry(run.id, 5_000, run.workflow)
      return false
    }
    const verdict = judgeRedeploy(run.workflow, (await this.store.latestSteps(run.id)).map((step) => step.stepName), meta)
    if (!verdict.resume) {
      await this.updateRunStatus(run.id, 'failed', undefined, { message: verdict.reason, stack: '', code: 'VERSION_CONFLICT' } as SerializedError)
      this.logger.error(`Workflow run ${run.id} failed: ${verdict.reason}`)
      return false
    }
    this.logger.info(`Workflow run ${run.id} resumes on the redeployed definition of '${run.workflow}' (${run.graphHash} → ${meta.graphHash}), by step name`)
    await this.store.setRunGraphHash(run.id, meta.graphHash)
    return true
  }

  private registerVersionsOnce(): Promise<void> {
    this.versions ??= this.registerWorkflowVersions().catch((error) => {
      this.versions = undefined
      throw error
    })
    return this.versions
  }

  override async resumeWorkflow(runId: string, workflowName?: string): Promise<void> {
    workflowName ??= (await this.getRun(runId))?.workflow
    await this.settings.queueService.add(this.getOrchestratorQueueName(workflowName), { runId }, this.resolveStepJobOptions())
  }

  protected override async scheduleOrchestratorRetry(runId: string, retryDelay?: number | string, workflowName?: string): Promise<void> {
    workflowName ??= (await this.getRun(runId))?.workflow
    const delay = retryDelay === undefined ? undefined : typeof retryDelay === 'number' ? retryDelay : parseDurationString(retryDelay)
    await this.settings.queueService.add(this.getOrchestratorQueueName(workflowName), { runId }, delay ? { delay } : {})
  }

  // ---- Routing: the dedicated queues codegen declares, never core's shared fallback (nothing consumes it here).

  protected override getOrchestratorQueueName(workflowName?: string): string {
    return dedicatedQueue(ORCHESTRATOR_QUEUE_PREFIX, workflowName, 'workflow')
  }

  protected override getStepWorkerQueueName(rpcName?: string): string {
    return dedicatedQueue(STEP_QUEUE_PREFIX, rpcName, 'workflowQueued function')
  }

  protected override async scheduleSleep(runId: string, stepId: string, duration: number | string): Promise<boolean> {
    if (!(await this.isInline(runId)) && !getSchedulerService()) {
      // Core would sleep in memory inside the orchestration job, lost on a restart.
      throw new Error(`workflow.sleep needs the scheduler service: pass factory.getSchedulerService() as schedulerService and start() it`)
    }
    const scheduled = await super.scheduleSleep(runId, stepId, duration)
    if (scheduled) this.sleepEnds.set(stepId, Date.now() + (typeof duration === 'number' ? duration : parseDurationString(duration)))
    return scheduled
  }

  /** A step that could not be dispatched does not fail the child run (see updateRunStatusImpl), so its parent is not told it did. */
  protected override async onChildWorkflowFailed(childRun: WorkflowRun, error: Error): Promise<void> {
    if (error.name === 'WorkflowDispatchException') return
    await super.onChildWorkflowFailed(childRun, error)
  }

  // ---- Core's store methods, on WorkflowRunStore.

  protected async createRunImpl(workflowName: string, input: any, inline: boolean, graphHash: string, wire: WorkflowRunWire, options?: { deterministic?: boolean; plannedSteps?: WorkflowPlannedStep[] }): Promise<string> {
    return this.store.createRun(workflowName, input, inline, graphHash, wire, options)
  }

  async getRun(id: string): Promise<WorkflowRun | null> {
    return this.store.getRun(id)
  }

  async getRunHistory(runId: string): Promise<Array<StepState & { stepName: string }>> {
    return this.store.history(runId)
  }

  protected async updateRunStatusImpl(id: string, status: WorkflowStatus, output?: any, error?: SerializedError): Promise<void> {
    if (status === 'failed' && error?.message && DISPATCH_FAILURE.test(error.message)) {
      // Core fails the run when a step's job could not be added (a Redis blip); the orchestration is retried instead.
      this.logger.warn(`Workflow run ${id}: ${error.message}; the orchestration is retried`)
      return
    }
    await this.store.updateRunStatus(id, status, output, error)
  }

  protected async insertStepStateImpl(runId: string, stepName: string, rpcName: string | null, data: any, stepOptions?: WorkflowStepOptions, fromStepName?: string): Promise<StepState> {
    const step = await this.store.insertStep(runId, stepName, rpcName, data, stepOptions, fromStepName)
    this.rememberRun(step.stepId, runId)
    return step
  }

  /** One read of every step per orchestration, instead of one per step (core's replay snapshot). */
  protected override async listStepStates(runId: string): Promise<Array<StepState & { stepName: string }>> {
    return this.store.latestSteps(runId)
  }

  async getStepState(runId: string, stepName: string): Promise<StepState> {
    const step = await this.store.getStepByName(runId, stepName)
    if (!step) throw new Error(`Workflow run ${runId} has no step '${stepName}'`)
    this.rememberRun(step.stepId, runId)
    return step
  }

  protected async setStepRunningImpl(stepId: string): Promise<void> {
    await this.store.setStep(await this.runOf(stepId), stepId, 'running')
  }

  protected async setStepScheduledImpl(stepId: string): Promise<void> {
    const runId = await this.runOf(stepId)
    // Core marks a queued step scheduled after adding its job, which may have run (even finished) meanwhile.
    await this.store.setStep(runId, stepId, 'scheduled', {}, 'pending')
    const sleepEnd = this.sleepEnds.get(stepId)
    if (sleepEnd !== undefined) {
      this.sleepEnds.delete(stepId)
      // A sleeping run is not idle before it wakes: the recovery task's scan passes over it until then.
      await this.store.markActiveUntil(runId, sleepEnd)
    }
  }

  protected async setStepResultImpl(stepId: string, result: any): Promise<void> {
    await this.store.setStep(await this.runOf(stepId), stepId, 'succeeded', { result: json(result), leaseOwner: false, leaseUntil: false }, 'unsettled')
  }

  protected async setStepChildRunIdImpl(stepId: string, childRunId: string): Promise<void> {
    await this.store.setStep(await this.runOf(stepId), stepId, '', { childRunId })
  }

  protected async setStepErrorImpl(stepId: string, error: Error): Promise<void> {
    const serialized = { name: error.name, message: error.message, stack: error.stack ?? '', code: (error as { code?: string }).code }
    await this.store.setStep(await this.runOf(stepId), stepId, 'failed', { error: json(serialized), leaseOwner: false, leaseUntil: false }, 'unsettled')
  }

  protected async createRetryAttemptImpl(failedStepId: string, status: 'pending' | 'running'): Promise<StepState> {
    const failed = await this.store.getStep(failedStepId)
    if (!failed) throw new Error(`Workflow step ${failedStepId} not found`)
    const next = (await this.store.retryAttempt(failed.runId, failedStepId, status)) ?? (await this.store.getStepByName(failed.runId, failed.stepName))!
    this.rememberRun(next.stepId, failed.runId)
    return next
  }

  async withRunLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.lock.withLock(this.lockKey(`run:${id}`), async () => {
      // Checked under the lock: the orchestration that held it before may have ended the run.
      const run = await this.store.getRun(id)
      if (run && run.status !== 'running') throw new RunNotRunningError(`Workflow run ${id} is ${run.status}`)
      return fn()
    })
  }

  async withStepLock<T>(runId: string, stepName: string, fn: () => Promise<T>): Promise<T> {
    return this.lock.withLock(this.lockKey(`step:${runId}:${stepName}`), fn, 5_000)
  }

  /** The store uses the producers' connection, which the queue service closes. */
  async close(): Promise<void> {}

  async getCompletedGraphState(runId: string): Promise<{ completedNodeIds: string[]; failedNodeIds: string[]; branchKeys: Record<string, string> }> {
    const steps = await this.store.latestSteps(runId)
    return {
      completedNodeIds: steps.filter((step) => step.status === 'succeeded').map((step) => step.stepName),
      failedNodeIds: steps.filter((step) => step.status === 'failed').map((step) => step.stepName),
      branchKeys: Object.fromEntries(steps.flatMap((step) => ((step as { branchKey?: string }).branchKey ? [[step.stepName, (step as { branchKey?: string }).branchKey!]] : []))),
    }
  }

  async getStepInstances(runId: string): Promise<Array<{ stepName: string; status: StepState['status']; fromStepName?: string }>> {
    return (await this.store.latestSteps(runId)).map(({ stepName, status, fromStepName }) => ({ stepName, status, fromStepName }))
  }

  async getNodeResults(runId: string, nodeIds: string[]): Promise<Record<string, any>> {
    const wanted = new Set(nodeIds)
    const steps = await this.store.latestSteps(runId)
    return Object.fromEntries(steps.filter((step) => wanted.has(step.stepName) && step.status === 'succeeded').map((step) => [step.stepName, step.result]))
  }

  protected async setBranchTakenImpl(stepId: string, branchKey: string): Promise<void> {
    await this.store.setStep(await this.runOf(stepId), stepId, '', { branchKey })
  }

  protected async updateRunStateImpl(runId: string, name: string, value: unknown): Promise<void> {
    await this.store.setRunState(runId, name, value)
  }

  async getRunState(runId: string): Promise<Record<string, unknown>> {
    return this.store.getRunState(runId)
  }

  protected async upsertWorkflowVersionImpl(name: string, graphHash: string, graph: any, source: string, status?: WorkflowVersionStatus): Promise<void> {
    await this.store.upsertVersion(name, graphHash, graph, source, status)
  }

  protected async updateWorkflowVersionStatusImpl(name: string, graphHash: string, status: WorkflowVersionStatus): Promise<void> {
    await this.store.setVersionStatus(name, graphHash, status)
  }

  async getWorkflowVersion(name: string, graphHash: string): Promise<{ graph: any; source: string } | null> {
    return this.store.getVersion(name, graphHash)
  }

  // ---- Recovery queries (core's sweeps call them).

  /** Running runs idle since `before` with nothing in flight: no step scheduled, none running under a live lease. */
  protected override async findStalledRunIds(before: Date, limit: number): Promise<string[]> {
    const now = Date.now()
    const stalled: string[] = []
    // Page on past idle runs that are only waiting (a queued step in a backlog), so they cannot hide
    // a stranded run behind them; at most STALL_SCAN_MAX per tick.
    for (let offset = 0; stalled.length < limit && offset < STALL_SCAN_MAX; offset += STALL_SCAN_PAGE) {
      const page = await this.store.idleRunIds(before.getTime(), offset, STALL_SCAN_PAGE)
      for (const runId of page) {
        // An orchestration holds the lock: a long inline step is in flight.
        if (await this.lock.isHeld(this.lockKey(`run:${runId}`))) continue
        const steps = await this.store.latestSteps(runId)
        // Idle past its end (see setStepScheduledImpl): the wake-up was lost (its job removed, or failed
        // every attempt). Resuming would not help, core waits for a scheduled step; it is scheduled again.
        const lostSleep = steps.find((step) => step.status === 'scheduled' && isSleepStep(step))
        if (lostSleep) {
          await this.rearmSleep(runId, lostSleep.stepId)
          continue
        }
        const inFlight = steps.some((step) => step.status === 'scheduled' || (step.status === 'running' && (step.leaseUntil ?? 0) > now))
        if (!inFlight && stalled.length < limit) stalled.push(runId)
      }
      if (page.length < STALL_SCAN_PAGE) break
    }
    return stalled
  }

  private async rearmSleep(runId: string, stepId: string): Promise<void> {
    const scheduler = getSchedulerService()
    if (!scheduler) return
    // The same call core made, so it is deduplicated against the original if that is still pending.
    await scheduler.scheduleRPC(0, SLEEPER_RPC, { runId, stepId })
    await this.store.markActiveUntil(runId, Date.now())
    this.logger.warn(`Workflow run ${runId}: its sleep should have ended by now; its wake-up is scheduled again`)
  }

  protected override async findUndispatchedSteps(before: Date, limit: number): Promise<Array<{ runId: string; stepId: string }>> {
    const found: Array<{ runId: string; stepId: string }> = []
    for (const entry of await this.store.pendingSteps(before.getTime(), limit)) {
      const [step, run] = await Promise.all([this.store.getStep(entry.stepId), this.store.getRun(entry.runId)])
      if (step?.status === 'pending' && run?.status === 'running') found.push(entry)
      else await this.store.forgetPending(entry.runId, entry.stepId)
    }
    return found
  }

  private async runOf(stepId: string): Promise<string> {
    return this.stepRunIds.get(stepId) ?? this.rememberRun(stepId, await this.store.runIdOf(stepId))
  }

  /** Core's setters name only the step; its run is remembered to save a read per write. */
  private rememberRun(stepId: string, runId: string): string {
    if (this.stepRunIds.size >= STEP_RUN_IDS_KEPT) this.stepRunIds.delete(this.stepRunIds.keys().next().value!)
    this.stepRunIds.set(stepId, runId)
    return runId
  }

  private lockKey(name: string): string {
    return `${this.settings.prefix}:wf:lock:${name}`
  }
}

function workflowMeta(name: string): WorkflowRuntimeMeta {
  const meta = pikkuState(null, 'workflows', 'meta')[name] as WorkflowRuntimeMeta | undefined
  if (!meta) {
    const known = Object.keys(pikkuState(null, 'workflows', 'meta'))
    throw new Error(`Workflow '${name}' not found: ${known.length > 0 ? `the workflows are ${known.join(', ')}` : 'no workflow meta is loaded (import the generated bootstrap or workflow meta first)'}`)
  }
  return meta
}

/** Core's kebab rule for queue names (workflow-queue-routing.js). */
function toKebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()
}

function dedicatedQueue(prefix: string, name: string | undefined, what: string): string {
  if (!name) throw new Error(`A workflow job needs its ${what}'s name to find its queue`)
  const queueName = `${prefix}${toKebab(name)}`
  if (!pikkuState(null, 'queue', 'meta')[queueName]) {
    throw new Error(`No queue meta for '${queueName}' (${what} '${name}'): run \`pikku\` so codegen declares it`)
  }
  return queueName
}

function getSchedulerService(): SchedulerService | undefined {
  return getSingletonServices()?.schedulerService
}
