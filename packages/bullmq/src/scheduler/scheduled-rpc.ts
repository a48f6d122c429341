import { createHash } from 'node:crypto'
import type { Job } from 'bullmq'
import { getSingletonServices, pikkuState } from '@pikku/core/ecosystem'
import { rpcService } from '@pikku/core/rpc'
import { parseDurationString } from '@pikku/core'

/** The job name of a scheduled call: the schedules queue also holds them, beside the ticks. */
const RPC_JOB_PREFIX = 'rpc:'

/** What a scheduled call's job holds. */
export interface ScheduledRpcData {
  rpcName: string
  data: unknown
}

/** Tries per scheduled call: a resume that fails on a Redis blip must not strand what waits for it. */
export const SCHEDULED_RPC_OPTIONS = { attempts: 5, backoff: { type: 'exponential', delay: 1_000 } } as const

/** The job name a scheduled call of `rpcName` gets. */
export function scheduledRpcJobName(rpcName: string): string {
  return `${RPC_JOB_PREFIX}${rpcName}`
}

export function isScheduledRpcJob(job: Pick<Job, 'name'>): boolean {
  return job.name.startsWith(RPC_JOB_PREFIX)
}

/** `delay` as core's SchedulerService takes it (milliseconds, or a duration such as '5m'), in milliseconds. */
export function delayInMs(delay: number | string): number {
  let ms: number
  try {
    ms = typeof delay === 'number' ? delay : parseDurationString(delay)
  } catch {
    throw new Error(`scheduleRPC: delay '${delay}' is not a duration; give milliseconds or a form like '30s', '5m', '1hour'`)
  }
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`scheduleRPC: delay must be 0 or more milliseconds, got ${delay}`)
  return Math.round(ms)
}

/**
 * Identical calls (same rpc, same data as JSON) scheduled while one is pending are one call: core
 * schedules a workflow's sleep again when an orchestration is retried, and that must not wake the
 * run twice. Once the call has run, scheduling it again schedules a new one.
 */
export function scheduledRpcDeduplicationId(rpcName: string, data: unknown): string {
  return `${RPC_JOB_PREFIX}${rpcName}:${createHash('sha256').update(JSON.stringify(data ?? null)).digest('base64url')}`
}

/** Whether this process can run `rpcName`: core resolves it through the rpc meta, then the function meta. */
export function canRunRpc(rpcName: string): boolean {
  return rpcName in pikkuState(null, 'rpc', 'meta') || rpcName in pikkuState(null, 'function', 'meta')
}

/** Runs a scheduled call as core runs `wire.rpc.invoke`: the function's input validation and permissions apply. */
export function runScheduledRpc(job: Job<ScheduledRpcData>): Promise<unknown> {
  const { rpcName, data } = job.data
  const wire = { traceId: `${job.name}:${job.id}` }
  const rpc = rpcService.getContextRPCService(getSingletonServices(), wire as never, { requiresAuth: false }, 0, null) as unknown as {
    invoke: (name: string, data: unknown) => Promise<unknown>
  }
  return rpc.invoke(rpcName, data)
}
