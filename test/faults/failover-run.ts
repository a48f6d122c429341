// One failover under load, as the fault scenarios for Cluster and Sentinel run it: producers add
// jobs through pikku-bullmq's typed producer without pause, the fault strikes, and every token the
// producers were told was added must reach the ledger. /readyz is polled throughout.
import { randomUUID } from 'node:crypto'
import { BullServiceFactory } from 'pikku-bullmq'
import { readLedger } from './fault-project.js'

export interface FailoverRun {
  redisUrl: string
  prefix: string
  ledger: string
  /** The worker server's monitoring port. */
  monitoringPort: number
  /** Causes the failover and resolves once the topology has a new master. */
  fault: () => Promise<void>
  /** The producers' `replicaAcks`. Default: the factory's (1 on Sentinel, 0 otherwise). */
  replicaAcks?: number
}

export interface FailoverResult {
  /** Tokens of adds that resolved: the jobs that must not be lost. */
  acked: string[]
  /** Ledger entries per token. */
  ledger: Map<string, number>
  lost: number
  duplicated: number
  /** Adds that rejected (the producer reported them, so they are not counted as lost). */
  refusedAdds: number
  /** From the fault to the last refused add. */
  addsRefusedForMs: number
  /** The longest an add took (resolved or refused) among those started after the fault. */
  longestAddMs: number
  /** From the fault until a job added after it had run. */
  jobsMovingAfterMs: number
  /** /readyz answers during the run: whether it failed after the fault, and when it was 200 again. */
  notReadySeen: boolean
  readyAgainAfterMs: number | undefined
}

const PRODUCERS = 4
const BEFORE_FAULT = 2_000
const AFTER_FAULT = 4_000

export async function runFailover({ redisUrl, prefix, ledger, monitoringPort, fault, replicaAcks }: FailoverRun): Promise<FailoverResult> {
  const factory = new BullServiceFactory({ redisUrl, prefix, producerTimeoutMs: 2_000, replicaAcks })
  const queues = factory.getQueueService()
  const acked: string[] = []
  let faultAt = 0
  let refusedAdds = 0
  let lastRefusalAt = 0
  let lastRefusal = ''
  let longestAddMs = 0
  let stopping = false
  const producers = Array.from({ length: PRODUCERS }, async () => {
    while (!stopping) {
      const token = randomUUID()
      const startedAt = Date.now()
      try {
        await queues.add('fault-work', { n: acked.length, ms: 0, token })
        acked.push(token)
      } catch (error) {
        refusedAdds++
        lastRefusalAt = Date.now()
        lastRefusal = error instanceof Error ? error.message : String(error)
        await new Promise((resolve) => setTimeout(resolve, 50))
      } finally {
        if (faultAt && startedAt >= faultAt) longestAddMs = Math.max(longestAddMs, Date.now() - startedAt)
      }
    }
  })
  const readiness: Array<{ at: number; ok: boolean }> = []
  const watching = (async () => {
    while (!stopping) {
      const ok = await fetch(`http://127.0.0.1:${monitoringPort}/readyz`, { signal: AbortSignal.timeout(3_000) }).then((response) => response.ok, () => false)
      readiness.push({ at: Date.now(), ok })
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  })()

  try {
    await until(() => acked.length >= BEFORE_FAULT, 'adds before the fault', 60_000)
    faultAt = Date.now()
    const ackedBeforeFault = acked.length
    await fault()
    await until(() => acked.length >= ackedBeforeFault + AFTER_FAULT, 'adds after the fault', 90_000, () => `; the last add refused ${((Date.now() - lastRefusalAt) / 1000).toFixed(1)} s ago: ${lastRefusal}`)
    const addedAfter = new Set(acked.slice(ackedBeforeFault))
    let jobsMovingAt = 0
    await until(() => {
      jobsMovingAt ||= [...readLedger(ledger).keys()].some((token) => addedAfter.has(token)) ? Date.now() : 0
      return jobsMovingAt > 0
    }, 'a job added after the fault to run', 90_000)
    stopping = true
    await Promise.all(producers)
    await until(() => {
      const done = readLedger(ledger)
      return acked.every((token) => done.has(token))
    }, 'every acknowledged job to run', 120_000).catch(() => undefined)
    const done = readLedger(ledger)
    const afterFault = readiness.filter(({ at }) => at >= faultAt)
    const firstNotReady = afterFault.find(({ ok }) => !ok)
    const readyAgain = firstNotReady && afterFault.find(({ at, ok }) => ok && at > firstNotReady.at)
    return {
      acked: [...acked],
      ledger: done,
      lost: acked.filter((token) => !done.has(token)).length,
      duplicated: [...done.values()].filter((count) => count > 1).length,
      refusedAdds,
      addsRefusedForMs: lastRefusalAt > faultAt ? lastRefusalAt - faultAt : 0,
      longestAddMs,
      jobsMovingAfterMs: jobsMovingAt - faultAt,
      notReadySeen: firstNotReady !== undefined,
      readyAgainAfterMs: readyAgain ? readyAgain.at - faultAt : undefined,
    }
  } finally {
    stopping = true
    await Promise.all([...producers, watching])
    await factory.close()
  }
}

async function until(check: () => boolean, what: string, timeoutMs: number, detail: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
