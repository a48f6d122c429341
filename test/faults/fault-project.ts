// The project the fault scenarios run: the template plus one queue whose function records every
// completed run in a ledger file (appended synchronously, so a killed process leaves no half line),
// which is how the scenarios count lost and duplicated jobs.
import { readFileSync } from 'node:fs'
import { createBuiltProject } from '../support/generated-project.js'

const FAULT_FUNCTIONS = `import { appendFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { pikkuSessionlessFunc } from '../.pikku/pikku-types.gen.js'

/**
 * Works for ms milliseconds, then appends its token (else its job id) to the ledger file FAULT_LEDGER.
 * Failover scenarios give tokens: a failover can hand a lost job's id out again.
 */
export const recordedWork = pikkuSessionlessFunc<{ n: number; ms: number; token?: string }, { n: number }>(async (_services, { n, ms, token }, { queue }) => {
  await sleep(ms)
  appendFileSync(process.env.FAULT_LEDGER!, \`\${token ?? queue!.jobId}\\n\`)
  return { n }
})

/** Never returns when asked to hang (and ignores its abort signal), else records like recordedWork. */
export const maybeHang = pikkuSessionlessFunc<{ hang: boolean }, { done: boolean }>(async (_services, { hang }, { queue }) => {
  if (hang) await new Promise(() => {})
  appendFileSync(process.env.FAULT_LEDGER!, \`\${queue!.jobId}\\n\`)
  return { done: true }
})

/** Throws a plain string, as careless code and some libraries do. */
export const throwString = pikkuSessionlessFunc<{ reason: string }, { never: boolean }>(async (_services, { reason }) => {
  throw reason
})
`

const FAULT_ROUTES = `import { wireQueueWorker } from '../.pikku/pikku-types.gen.js'
import { maybeHang, recordedWork, throwString } from './faults.functions.js'

wireQueueWorker({ name: 'fault-work', func: recordedWork, config: { batchSize: Number(process.env.FAULT_CONCURRENCY ?? 10) } })
// One slot, so a hanging job that was not timed out would block every job behind it.
wireQueueWorker({ name: 'fault-hang', func: maybeHang, config: { batchSize: 1, timeout: 1000 } })
wireQueueWorker({ name: 'fault-throw', func: throwString })
`

export function createFaultProject(): string {
  return createBuiltProject('faults', { 'src/faults.functions.ts': FAULT_FUNCTIONS, 'src/faults.routes.ts': FAULT_ROUTES })
}

/** How often each job id appears in the ledger. */
export function readLedger(file: string): Map<string, number> {
  const counts = new Map<string, number>()
  let text = ''
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return counts
  }
  for (const id of text.split('\n')) if (id) counts.set(id, (counts.get(id) ?? 0) + 1)
  return counts
}

/** Jobs added but never recorded, and jobs recorded more than once. */
export function tally(added: readonly string[], ledger: Map<string, number>): { completed: number; lost: number; duplicated: number } {
  const lost = added.filter((id) => !ledger.has(id)).length
  const duplicated = [...ledger.values()].filter((count) => count > 1).length
  return { completed: added.length - lost, lost, duplicated }
}
