import type { Redis } from 'ioredis'

/**
 * Poison jobs: jobs whose stored fields BullMQ cannot read, written by a foreign or buggy producer
 * or by hand. BullMQ parses `data`, `opts` and `progress` before any processor runs, so such a job
 * never reaches one: its worker reports a SyntaxError, the job stalls back to waiting, and the loop
 * repeats forever while every view of the queue fails on the same field. The runtime breaks the
 * loop by quarantining the unreadable field: its value moves to `pikkuRaw:<field>` (kept, for
 * forensics), the field gets a readable stand-in, and the job's options carry the reason under
 * {@link POISON_REASON}, so the next attempt fails at once, for good, with that reason.
 */
export const POISON_REASON = 'pikkuPoison'

/** Nesting deeper than this is refused as invalid input: every recursive step of a run (validation, copies, views) would overflow the stack. */
export const MAX_DATA_DEPTH = 1_000

/** The stored fields BullMQ JSON-parses when it reads a job, and what stands in for an unreadable one. */
const PARSED_FIELDS: Record<string, (reason: string) => string> = {
  data: (reason) => JSON.stringify(`[not shown: ${reason}; the stored value is in field pikkuRaw:data]`),
  progress: () => '0',
  opts: () => '{}',
}

/**
 * Quarantines every field of this job that does not parse. Returns the reason the job cannot run,
 * with `now` true when this call quarantined it and false when it already was (another scan or
 * process got there first); no reason when the job is readable and not quarantined.
 */
export async function quarantineUnreadableFields(redis: Redis, jobKey: string): Promise<{ reason?: string; now: boolean }> {
  const fields = Object.keys(PARSED_FIELDS)
  const values = await redis.hmget(jobKey, ...fields)
  const problems: string[] = []
  const writes: Record<string, string> = {}
  fields.forEach((field, index) => {
    const value = values[index]
    if (value === null || value === undefined) return
    const error = parseError(value)
    if (!error) return
    const reason = `its ${field} field in Redis is not JSON (${error})`
    problems.push(reason)
    writes[`pikkuRaw:${field}`] = value
    writes[field] = PARSED_FIELDS[field]!(reason)
  })
  if (problems.length === 0) return { reason: storedReason(values[fields.indexOf('opts')]), now: false }
  await markPoisoned(redis, jobKey, problems.join('; '), writes)
  return { reason: problems.join('; '), now: true }
}

/** The quarantine reason in a job's (readable) stored options. */
function storedReason(opts: string | null | undefined): string | undefined {
  if (!opts) return undefined
  const reason = (JSON.parse(opts) as Record<string, unknown>)[POISON_REASON]
  return typeof reason === 'string' ? reason : undefined
}

/** Quarantines data that parses but nests too deep to run or show. */
export async function quarantineDeepData(redis: Redis, jobKey: string, depth: number): Promise<string> {
  const reason = `its data is nested more than ${depth} levels deep (at most ${MAX_DATA_DEPTH} are accepted)`
  const raw = await redis.hget(jobKey, 'data')
  await markPoisoned(redis, jobKey, reason, { ...(raw === null ? {} : { 'pikkuRaw:data': raw }), data: PARSED_FIELDS.data!(reason) })
  return reason
}

async function markPoisoned(redis: Redis, jobKey: string, reason: string, writes: Record<string, string>): Promise<void> {
  const storedOpts = writes.opts ?? (await redis.hget(jobKey, 'opts')) ?? '{}'
  const opts = JSON.parse(storedOpts) as Record<string, unknown>
  await redis.hset(jobKey, { ...writes, opts: JSON.stringify({ ...opts, [POISON_REASON]: reason }) })
}

function parseError(value: string): string | undefined {
  try {
    JSON.parse(value)
    return undefined
  } catch (error) {
    return (error as Error).message
  }
}

/** How deeply a parsed value nests, counted without recursion, stopping once past `limit`. */
export function nestingDepth(value: unknown, limit = MAX_DATA_DEPTH): number {
  let deepest = 0
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!
    if (depth > deepest) deepest = depth
    if (deepest > limit) return deepest
    if (current !== null && typeof current === 'object') {
      for (const child of Object.values(current)) stack.push([child, depth + 1])
    }
  }
  return deepest
}

/** True for the RangeError V8 throws when a run recursed too deep. */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /Maximum call stack size exceeded/.test(error.message)
}
