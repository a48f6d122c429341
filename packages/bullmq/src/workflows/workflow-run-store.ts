import { randomUUID } from 'node:crypto'
import type { SerializedError } from '@pikku/core'
import type { StepState, StepStatus, WorkflowPlannedStep, WorkflowRun, WorkflowRunWire, WorkflowStatus } from '@pikku/core/workflow'
import type { RedisClient } from '../connection/redis-client-builder.js'

/** A step as stored: core's StepState plus its name, function and input. */
export interface StoredStep extends StepState {
  runId: string
  stepName: string
  data: unknown
  /** The BullMQ job that holds a queued step while it runs, and until when (renewed while it runs). */
  leaseOwner?: string
  leaseUntil?: number
}

/** A `workflow.sleep` step: core records it with no function and its duration as data. */
export function isSleepStep(step: Pick<StoredStep, 'rpcName' | 'data'>): boolean {
  return step.rpcName == null && typeof step.data === 'object' && step.data !== null && 'duration' in step.data
}

/** What {@link WorkflowRunStore.claimStep} found. */
export type StepClaim =
  | { outcome: 'claimed'; step: StoredStep }
  /** It succeeded already: only the resume may be missing. */
  | { outcome: 'succeeded' }
  /** Another job holds a live lease on it. */
  | { outcome: 'leased' }
  /** The job names another function than the step was dispatched with. */
  | { outcome: 'mismatch' }
  | { outcome: 'missing' }

export interface WorkflowRunStoreOptions {
  /** Key prefix: the factory's BullMQ prefix, so a Cluster hash tag keeps every key in one slot. */
  prefix: string
  /** How long a finished run (completed, failed, cancelled) and its steps are kept. */
  retentionMs: number
}

/** How long a finished run is kept, unless `retentionMs` says otherwise. */
export const DEFAULT_WORKFLOW_RETENTION_MS = 7 * 24 * 60 * 60_000

const TERMINAL: ReadonlySet<WorkflowStatus> = new Set(['completed', 'failed', 'cancelled'])
export const RUN_STATUSES: readonly WorkflowStatus[] = ['running', 'suspended', 'completed', 'failed', 'cancelled']

/**
 * Keys, under `<prefix>:wf:`:
 * - `run:<id>` hash of the run; `run:<id>:steps` step name → its latest attempt's id;
 *   `run:<id>:history` every attempt's id in order; `run:<id>:state` the run state.
 * - `step:<id>` hash of one attempt.
 * - `runs:<status>` and `runs:all` sorted sets of run ids (by last change, by creation): the status
 *   queries read these, never SCAN.
 * - `active` running runs by last activity, `pending` `<runId> <stepId>` by when the step became
 *   pending: the recovery sweeps' queries.
 * Every multi-key write is one Lua script, so a crash never leaves a run half-updated.
 */
const SCRIPTS = {
  /** KEYS: run, runs:running, runs:all, active. ARGV: id, now, fields as JSON. */
  wfCreateRun: {
    numberOfKeys: 4,
    lua: `
local fields = cjson.decode(ARGV[3])
for k, v in pairs(fields) do redis.call('HSET', KEYS[1], k, v) end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
return 1`,
  },
  /**
   * KEYS: run, steps, history, state, active. ARGV: id, status, now, output|'', error|'', statusKeyPrefix,
   * retention seconds, stepKeyPrefix. A finished run never changes again: returns 0 then.
   */
  wfUpdateRunStatus: {
    numberOfKeys: 5,
    lua: `
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return -1 end
if (current == 'completed' or current == 'failed' or current == 'cancelled') then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'updatedAt', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'output', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[5]) end
redis.call('ZREM', ARGV[6] .. current, ARGV[1])
redis.call('ZADD', ARGV[6] .. ARGV[2], ARGV[3], ARGV[1])
if ARGV[2] == 'running' then
  redis.call('ZADD', KEYS[5], ARGV[3], ARGV[1])
else
  redis.call('ZREM', KEYS[5], ARGV[1])
end
if ARGV[2] == 'completed' or ARGV[2] == 'failed' or ARGV[2] == 'cancelled' then
  local ttl = tonumber(ARGV[7])
  for _, key in ipairs({KEYS[1], KEYS[2], KEYS[3], KEYS[4]}) do redis.call('EXPIRE', key, ttl) end
  for _, stepId in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do redis.call('EXPIRE', ARGV[8] .. stepId, ttl) end
end
return 1`,
  },
  /**
   * KEYS: steps, history, step (new), active, pending. ARGV: runId, stepName, stepId, now, fields JSON.
   * A step name already recorded keeps its step: returns its id.
   */
  wfInsertStep: {
    numberOfKeys: 5,
    lua: `
local existing = redis.call('HGET', KEYS[1], ARGV[2])
if existing then return existing end
local fields = cjson.decode(ARGV[5])
for k, v in pairs(fields) do redis.call('HSET', KEYS[3], k, v) end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[4], 'XX', ARGV[4], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[4], ARGV[1] .. ' ' .. ARGV[3])
return ARGV[3]`,
  },
  /**
   * KEYS: step, active, pending. ARGV: runId, stepId, now, status, timestamp field|'', extra fields JSON,
   * guard ('': none, 'unsettled': refuse once the step succeeded, 'pending': only from pending).
   * Returns 0 when refused.
   */
  wfSetStep: {
    numberOfKeys: 3,
    lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local current = redis.call('HGET', KEYS[1], 'status')
if ARGV[7] == 'unsettled' and current == 'succeeded' then return 0 end
if ARGV[7] == 'pending' and current ~= 'pending' then return 0 end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'status', ARGV[4]) end
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[3])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], ARGV[5], ARGV[3]) end
local fields = cjson.decode(ARGV[6])
for k, v in pairs(fields) do
  if v == false then redis.call('HDEL', KEYS[1], k) else redis.call('HSET', KEYS[1], k, v) end
end
redis.call('ZADD', KEYS[2], 'XX', ARGV[3], ARGV[1])
if ARGV[4] == 'pending' then
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1] .. ' ' .. ARGV[2])
elseif ARGV[4] ~= '' then
  redis.call('ZREM', KEYS[3], ARGV[1] .. ' ' .. ARGV[2])
end
return 1`,
  },
  /**
   * KEYS: failed step, new step, steps, history, active, pending. ARGV: runId, newId, now, status.
   * Returns the new attempt's id, '' when the failed step is not the step's latest attempt
   * (another worker made the retry already), or '!<status>' when it did not fail (its result was
   * recorded after all: a retry would run it again and replace the result).
   */
  wfRetryAttempt: {
    numberOfKeys: 6,
    lua: `
local old = redis.call('HGETALL', KEYS[1])
if #old == 0 then return '' end
local step = {}
for i = 1, #old, 2 do step[old[i]] = old[i + 1] end
if redis.call('HGET', KEYS[3], step.stepName) ~= step.stepId then return '' end
if step.status ~= 'failed' then return '!' .. step.status end
local copy = {'runId', 'stepName', 'rpcName', 'data', 'retries', 'retryDelay', 'fromStepName'}
for _, k in ipairs(copy) do if step[k] then redis.call('HSET', KEYS[2], k, step[k]) end end
redis.call('HSET', KEYS[2], 'stepId', ARGV[2], 'status', ARGV[4], 'attemptCount', tonumber(step.attemptCount) + 1,
  'createdAt', ARGV[3], 'updatedAt', ARGV[3])
if ARGV[4] == 'running' then redis.call('HSET', KEYS[2], 'runningAt', ARGV[3]) end
redis.call('HSET', KEYS[3], step.stepName, ARGV[2])
redis.call('RPUSH', KEYS[4], ARGV[2])
redis.call('ZADD', KEYS[5], 'XX', ARGV[3], ARGV[1])
if ARGV[4] == 'pending' then redis.call('ZADD', KEYS[6], ARGV[3], ARGV[1] .. ' ' .. ARGV[2]) end
return ARGV[2]`,
  },
  /**
   * KEYS: steps, active, pending. ARGV: runId, stepName, rpcName JSON, owner, now, leaseUntil, stepKeyPrefix.
   * Claims the step's latest attempt for the job `owner`: a step pending, scheduled, or running
   * under an expired lease or under this same job (BullMQ gave it back after a crash or a forced
   * shutdown) is claimed; a failed one is retried as a new attempt by the caller.
   * Returns {outcome, stepId}.
   */
  wfClaimStep: {
    numberOfKeys: 3,
    lua: `
local stepId = redis.call('HGET', KEYS[1], ARGV[2])
if not stepId then return {'missing', ''} end
local key = ARGV[7] .. stepId
local s = redis.call('HMGET', key, 'status', 'rpcName', 'leaseOwner', 'leaseUntil')
if s[2] and s[2] ~= ARGV[3] then return {'mismatch', stepId} end
if s[1] == 'succeeded' then return {'succeeded', stepId} end
if s[1] == 'failed' then return {'failed', stepId} end
if s[1] == 'running' and s[3] and s[3] ~= ARGV[4] and tonumber(s[4] or '0') > tonumber(ARGV[5]) then
  return {'leased', stepId}
end
redis.call('HSET', key, 'status', 'running', 'runningAt', ARGV[5], 'updatedAt', ARGV[5], 'leaseOwner', ARGV[4], 'leaseUntil', ARGV[6])
redis.call('ZADD', KEYS[2], 'XX', ARGV[5], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1] .. ' ' .. stepId)
return {'claimed', stepId}`,
  },
  /** KEYS: step. ARGV: owner, leaseUntil. Extends the lease while the step runs; 0 if it passed to another job. */
  wfRenewLease: {
    numberOfKeys: 1,
    lua: `
if redis.call('HGET', KEYS[1], 'leaseOwner') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'leaseUntil', ARGV[2])
return 1`,
  },
} as const

type ScriptName = keyof typeof SCRIPTS
type ScriptClient = RedisClient & Record<ScriptName, (...args: Array<string | number>) => Promise<unknown>>

/** What the store needs of a connection: ProducerConnection has it. */
export interface StoreConnection {
  ready(action: string): Promise<RedisClient>
}

/**
 * Workflow runs and steps in Redis for {@link BullWorkflowService}: no connection of its own (the producers'),
 * atomic multi-key writes, indexed status queries, finished runs expiring after `retentionMs`.
 */
export class WorkflowRunStore {
  private readonly base: string
  private readonly retentionSeconds: number
  private readonly scripted = new WeakSet<RedisClient>()

  /** `connection` is the queue service's producer connection: the store opens none of its own. */
  constructor(private readonly connection: StoreConnection, private readonly options: WorkflowRunStoreOptions) {
    this.base = `${options.prefix}:wf:`
    this.retentionSeconds = Math.max(1, Math.ceil(options.retentionMs / 1000))
  }

  /** The connection once Redis is reachable, with the store's scripts defined on it. */
  private async redis(): Promise<ScriptClient> {
    const client = await this.connection.ready('workflow store')
    if (!this.scripted.has(client)) {
      for (const [name, { numberOfKeys, lua }] of Object.entries(SCRIPTS)) {
        if (!(name in client)) client.defineCommand(name, { numberOfKeys, lua })
      }
      this.scripted.add(client)
    }
    return client as ScriptClient
  }

  async createRun(workflow: string, input: unknown, inline: boolean, graphHash: string, wire: WorkflowRunWire, options?: { deterministic?: boolean; plannedSteps?: WorkflowPlannedStep[] }): Promise<string> {
    const id = randomUUID()
    const now = Date.now()
    const fields: Record<string, string> = {
      id,
      workflow,
      status: 'running',
      input: json(input),
      inline: inline ? '1' : '0',
      graphHash,
      wire: json(wire),
      createdAt: String(now),
      updatedAt: String(now),
    }
    if (options?.deterministic !== undefined) fields.deterministic = options.deterministic ? '1' : '0'
    if (options?.plannedSteps) fields.plannedSteps = json(options.plannedSteps)
    await (await this.redis()).wfCreateRun(this.runKey(id), this.key('runs:running'), this.key('runs:all'), this.key('active'), id, now, JSON.stringify(fields))
    return id
  }

  async getRun(id: string): Promise<WorkflowRun | null> {
    const hash = await (await this.redis()).hgetall(this.runKey(id))
    return hash.id ? toRun(hash) : null
  }

  /** Several runs in one round trip; runs already removed by retention are left out. */
  private async getRuns(ids: readonly string[]): Promise<WorkflowRun[]> {
    if (ids.length === 0) return []
    const pipeline = (await this.redis()).pipeline()
    for (const id of ids) pipeline.hgetall(this.runKey(id))
    const results = (await pipeline.exec()) ?? []
    return results.flatMap(([, hash]) => ((hash as Record<string, string>)?.id ? [toRun(hash as Record<string, string>)] : []))
  }

  /** False when the run had finished already: a finished run never changes. */
  async updateRunStatus(id: string, status: WorkflowStatus, output?: unknown, error?: SerializedError): Promise<boolean> {
    const result = await (await this.redis()).wfUpdateRunStatus(
      this.runKey(id), this.runKey(id, 'steps'), this.runKey(id, 'history'), this.runKey(id, 'state'), this.key('active'),
      id, status, Date.now(), output === undefined ? '' : json(output), error ? json(error) : '', this.key('runs:'), this.retentionSeconds, this.key('step:'),
    )
    return result === 1
  }

  async insertStep(runId: string, stepName: string, rpcName: string | null, data: unknown, options: { retries?: number; retryDelay?: string | number } | undefined, fromStepName?: string): Promise<StoredStep> {
    const stepId = randomUUID()
    const now = String(Date.now())
    const fields: Record<string, string> = {
      stepId, runId, stepName, rpcName: json(rpcName), data: json(data ?? null), status: 'pending', attemptCount: '1', createdAt: now, updatedAt: now,
    }
    if (options?.retries !== undefined) fields.retries = String(options.retries)
    if (options?.retryDelay !== undefined) fields.retryDelay = json(options.retryDelay)
    if (fromStepName !== undefined) fields.fromStepName = fromStepName
    const id = (await (await this.redis()).wfInsertStep(
      this.runKey(runId, 'steps'), this.runKey(runId, 'history'), this.stepKey(stepId), this.key('active'), this.key('pending'),
      runId, stepName, stepId, now, JSON.stringify(fields),
    )) as string
    return (await this.getStep(id))!
  }

  async getStep(stepId: string): Promise<StoredStep | undefined> {
    const hash = await (await this.redis()).hgetall(this.stepKey(stepId))
    return hash.stepId ? toStep(hash) : undefined
  }

  /** The latest attempt of the step `stepName`, if the run has one. */
  async getStepByName(runId: string, stepName: string): Promise<StoredStep | undefined> {
    const stepId = await (await this.redis()).hget(this.runKey(runId, 'steps'), stepName)
    return stepId ? this.getStep(stepId) : undefined
  }

  /** The latest attempt of every step of the run, in the order the steps were first recorded. */
  async latestSteps(runId: string): Promise<StoredStep[]> {
    const ids = new Set(Object.values(await (await this.redis()).hgetall(this.runKey(runId, 'steps'))))
    return (await this.history(runId)).filter((step) => ids.has(step.stepId))
  }

  /** Every attempt of every step, oldest first. */
  async history(runId: string): Promise<StoredStep[]> {
    const ids = await (await this.redis()).lrange(this.runKey(runId, 'history'), 0, -1)
    if (ids.length === 0) return []
    const pipeline = (await this.redis()).pipeline()
    for (const id of ids) pipeline.hgetall(this.stepKey(id))
    const results = (await pipeline.exec()) ?? []
    return results.flatMap(([, hash]) => ((hash as Record<string, string>)?.stepId ? [toStep(hash as Record<string, string>)] : []))
  }

  /**
   * Sets a step's status (and its timestamp field) and extra fields (`false` deletes one), unless
   * the guard refuses (then false): `unsettled` leaves a succeeded step alone (a result is recorded
   * once), `pending` changes only a pending one.
   */
  async setStep(runId: string, stepId: string, status: StepStatus | '', fields: Record<string, string | false> = {}, guard: '' | 'unsettled' | 'pending' = ''): Promise<boolean> {
    const timestampField = status === '' ? '' : STATUS_TIMESTAMPS[status] ?? ''
    const result = await (await this.redis()).wfSetStep(
      this.stepKey(stepId), this.key('active'), this.key('pending'),
      runId, stepId, Date.now(), status, timestampField, JSON.stringify(fields), guard,
    )
    return result === 1
  }

  /** The run a step belongs to (core's setters name only the step). */
  async runIdOf(stepId: string): Promise<string> {
    const runId = await (await this.redis()).hget(this.stepKey(stepId), 'runId')
    if (!runId) throw new Error(`Workflow step ${stepId} not found (removed by retention, or never recorded)`)
    return runId
  }

  /** A new attempt of a failed step; undefined when it is no longer the step's latest attempt. */
  async retryAttempt(runId: string, failedStepId: string, status: 'pending' | 'running'): Promise<StoredStep | undefined> {
    const newId = randomUUID()
    const id = (await (await this.redis()).wfRetryAttempt(
      this.stepKey(failedStepId), this.stepKey(newId), this.runKey(runId, 'steps'), this.runKey(runId, 'history'), this.key('active'), this.key('pending'),
      runId, newId, Date.now(), status,
    )) as string
    if (id.startsWith('!')) throw new Error(`Workflow step attempt ${failedStepId} is ${id.slice(1)}, not failed: no retry attempt is made`)
    return id ? this.getStep(id) : undefined
  }

  async claimStep(runId: string, stepName: string, rpcName: string | null, owner: string, leaseMs: number): Promise<{ outcome: StepClaim['outcome'] | 'failed'; stepId: string }> {
    const now = Date.now()
    const [outcome, stepId] = (await (await this.redis()).wfClaimStep(
      this.runKey(runId, 'steps'), this.key('active'), this.key('pending'),
      runId, stepName, json(rpcName), owner, now, now + leaseMs, this.key('step:'),
    )) as [StepClaim['outcome'] | 'failed', string]
    return { outcome, stepId }
  }

  async renewLease(stepId: string, owner: string, leaseMs: number): Promise<boolean> {
    return (await (await this.redis()).wfRenewLease(this.stepKey(stepId), owner, Date.now() + leaseMs)) === 1
  }

  async setRunState(runId: string, name: string, value: unknown): Promise<void> {
    await (await this.redis()).hset(this.runKey(runId, 'state'), name, json(value))
  }

  async getRunState(runId: string): Promise<Record<string, unknown>> {
    const hash = await (await this.redis()).hgetall(this.runKey(runId, 'state'))
    return Object.fromEntries(Object.entries(hash).map(([name, value]) => [name, JSON.parse(value)]))
  }

  async upsertVersion(name: string, graphHash: string, graph: unknown, source: string, status?: string): Promise<void> {
    const key = this.key(`version:${name}:${graphHash}`)
    const redis = await this.redis()
    await redis.hset(key, 'graph', json(graph), 'source', source, ...(status ? ['status', status] : []))
    await redis.hsetnx(key, 'seenAt', String(Date.now()))
  }

  /** When a process first registered this definition of the workflow; undefined if none has. */
  async versionSeenAt(name: string, graphHash: string): Promise<number | undefined> {
    const seenAt = await (await this.redis()).hget(this.key(`version:${name}:${graphHash}`), 'seenAt')
    return seenAt === null ? undefined : Number(seenAt)
  }

  async setVersionStatus(name: string, graphHash: string, status: string): Promise<void> {
    await (await this.redis()).hset(this.key(`version:${name}:${graphHash}`), 'status', status)
  }

  async getVersion(name: string, graphHash: string): Promise<{ graph: any; source: string } | null> {
    const hash = await (await this.redis()).hgetall(this.key(`version:${name}:${graphHash}`))
    return hash.source ? { graph: JSON.parse(hash.graph ?? 'null'), source: hash.source } : null
  }

  /** Moves a run to another graph hash (a redeploy its recorded steps still fit). */
  async setRunGraphHash(runId: string, graphHash: string): Promise<void> {
    await (await this.redis()).hset(this.runKey(runId), 'graphHash', graphHash)
  }

  /** Running runs with no activity since `before`, oldest first. */
  /** Counts the run as active until `until` (a sleep's end), if it is still active. */
  async markActiveUntil(runId: string, until: number): Promise<void> {
    await (await this.redis()).zadd(this.key('active'), 'XX', until, runId)
  }

  async idleRunIds(before: number, offset: number, limit: number): Promise<string[]> {
    return (await this.redis()).zrangebyscore(this.key('active'), '-inf', before, 'LIMIT', offset, limit)
  }

  /** Steps pending since before `before`. */
  async pendingSteps(before: number, limit: number): Promise<Array<{ runId: string; stepId: string }>> {
    const members = await (await this.redis()).zrangebyscore(this.key('pending'), '-inf', before, 'LIMIT', 0, limit)
    return members.map((member) => {
      const [runId, stepId] = member.split(' ') as [string, string]
      return { runId, stepId }
    })
  }

  /** Forgets a pending entry whose step or run is gone (retention, a run that ended meanwhile). */
  async forgetPending(runId: string, stepId: string): Promise<void> {
    await (await this.redis()).zrem(this.key('pending'), `${runId} ${stepId}`)
  }

  /** Recent runs, newest first (by start, or by last change within one status). */
  async listRuns({ status, limit = 20 }: { status?: WorkflowStatus; limit?: number } = {}): Promise<WorkflowRun[]> {
    return this.getRuns(await (await this.redis()).zrevrange(this.key(status ? `runs:${status}` : 'runs:all'), 0, limit - 1))
  }

  /** How many runs have each status (finished ones within retention). */
  async countByStatus(): Promise<Record<WorkflowStatus, number>> {
    const pipeline = (await this.redis()).pipeline()
    for (const status of RUN_STATUSES) pipeline.zcard(this.key(`runs:${status}`))
    const results = (await pipeline.exec()) ?? []
    return Object.fromEntries(RUN_STATUSES.map((status, i) => [status, Number(results[i]?.[1] ?? 0)])) as Record<WorkflowStatus, number>
  }

  /**
   * Drops index entries of finished runs past retention (their keys have expired), from their
   * status's index and from runs:all, a thousand per status per call.
   */
  async trimFinished(): Promise<void> {
    const before = Date.now() - this.options.retentionMs
    const redis = await this.redis()
    for (const status of RUN_STATUSES) {
      if (!TERMINAL.has(status)) continue
      const index = this.key(`runs:${status}`)
      const expired = await redis.zrangebyscore(index, '-inf', before, 'LIMIT', 0, 1_000)
      if (expired.length > 0) await redis.pipeline().zrem(index, ...expired).zrem(this.key('runs:all'), ...expired).exec()
    }
  }

  private key(name: string): string {
    return `${this.base}${name}`
  }

  private runKey(id: string, part?: string): string {
    return this.key(part ? `run:${id}:${part}` : `run:${id}`)
  }

  private stepKey(id: string): string {
    return this.key(`step:${id}`)
  }
}

const STATUS_TIMESTAMPS: Partial<Record<StepStatus, string>> = {
  running: 'runningAt',
  scheduled: 'scheduledAt',
  succeeded: 'succeededAt',
  failed: 'failedAt',
}

/** JSON of a value; undefined is stored as null. */
export function json(value: unknown): string {
  return JSON.stringify(value ?? null)
}

function parse(value: string | undefined): any {
  return value === undefined ? undefined : JSON.parse(value)
}

function date(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(Number(value))
}

function toRun(hash: Record<string, string>): WorkflowRun {
  return {
    id: hash.id!,
    workflow: hash.workflow!,
    status: hash.status as WorkflowStatus,
    input: parse(hash.input),
    output: parse(hash.output),
    error: parse(hash.error),
    inline: hash.inline === '1',
    graphHash: hash.graphHash,
    deterministic: hash.deterministic === undefined ? undefined : hash.deterministic === '1',
    plannedSteps: parse(hash.plannedSteps),
    wire: parse(hash.wire) ?? { type: 'unknown' },
    createdAt: date(hash.createdAt)!,
    updatedAt: date(hash.updatedAt)!,
  }
}

function toStep(hash: Record<string, string>): StoredStep {
  return {
    stepId: hash.stepId!,
    runId: hash.runId!,
    stepName: hash.stepName!,
    rpcName: hash.rpcName === undefined ? undefined : parse(hash.rpcName),
    data: parse(hash.data),
    status: hash.status as StepStatus,
    result: parse(hash.result),
    error: parse(hash.error),
    attemptCount: Number(hash.attemptCount ?? 1),
    retries: hash.retries === undefined ? undefined : Number(hash.retries),
    retryDelay: parse(hash.retryDelay),
    fromStepName: hash.fromStepName,
    childRunId: hash.childRunId,
    createdAt: date(hash.createdAt)!,
    updatedAt: date(hash.updatedAt)!,
    runningAt: date(hash.runningAt),
    scheduledAt: date(hash.scheduledAt),
    succeededAt: date(hash.succeededAt),
    failedAt: date(hash.failedAt),
    leaseOwner: hash.leaseOwner,
    leaseUntil: hash.leaseUntil === undefined ? undefined : Number(hash.leaseUntil),
  }
}
