import { CronExpressionParser } from 'cron-parser'
import { parseDurationString } from '@pikku/core'

/**
 * When a scheduled task runs, as a `wireScheduler` wiring declares it: a cron expression in
 * `schedule` (5 fields, or 6 with seconds first) with an optional IANA `tz`, or an interval in
 * `every` (milliseconds, or a duration such as '5m', '1hour').
 */
export interface ScheduleDeclaration {
  name: string
  schedule?: string
  tz?: string
  every?: number | string
}

/** BullMQ's repeat options for a job scheduler. */
export interface ScheduleSpec {
  pattern?: string
  tz?: string
  every?: number
}

/**
 * Turns a declaration into BullMQ repeat options; throws an Error saying what is wrong and how to
 * fix it, naming the thing declared (`what`: a scheduled task, or a repeatable job).
 */
export function toScheduleSpec({ name, schedule, tz, every }: ScheduleDeclaration, what = 'Scheduled task'): ScheduleSpec {
  const where = `${what} '${name}'`
  if (schedule !== undefined && every !== undefined) throw new Error(`${where}: give either schedule (cron) or every (interval), not both`)
  if (every !== undefined) {
    if (tz !== undefined) throw new Error(`${where}: tz only applies to a cron schedule, not to every`)
    const ms = typeof every === 'number' ? every : parseEvery(where, every)
    if (!Number.isInteger(ms) || ms < 1) throw new Error(`${where}: every must be a positive whole number of milliseconds, got ${every}`)
    return { every: ms }
  }
  if (schedule === undefined || schedule.trim() === '') {
    throw new Error(`${where}: no schedule; give schedule: '*/5 * * * *' (cron) or every: '5m' (interval)`)
  }
  const fields = schedule.trim().split(/\s+/)
  if (fields.length !== 5 && fields.length !== 6) {
    throw new Error(`${where}: cron schedule '${schedule}' has ${fields.length} field(s); use 5 (minute hour day month weekday) or 6 (seconds first)`)
  }
  if (tz !== undefined && !isTimeZone(tz)) throw new Error(`${where}: unknown time zone '${tz}'; use an IANA name such as 'Europe/Paris'`)
  try {
    CronExpressionParser.parse(schedule, tz ? { tz } : {})
  } catch (error) {
    throw new Error(`${where}: invalid cron schedule '${schedule}': ${(error as Error).message}`)
  }
  return tz ? { pattern: schedule.trim(), tz } : { pattern: schedule.trim() }
}

/** "*\/5 * * * * (Europe/Paris)" or "every 300000 ms", for logs and listings. */
export function describeSchedule({ pattern, tz, every }: ScheduleSpec): string {
  if (every !== undefined) return `every ${every} ms`
  return tz ? `${pattern} (${tz})` : `${pattern}`
}

function parseEvery(where: string, every: string): number {
  try {
    return parseDurationString(every)
  } catch {
    throw new Error(`${where}: every '${every}' is not a duration; use milliseconds or forms like '30s', '5m', '1hour', '2days'`)
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return true
  } catch {
    return false
  }
}
