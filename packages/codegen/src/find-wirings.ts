import { relative } from 'node:path'
import { CronExpressionParser } from 'cron-parser'
import ts from 'typescript'
import type { Diagnostic } from './codegen-error.js'
import { propertyValue, type FoundFunction } from './find-pikku-functions.js'
import type { QueueWorkerInfo, SchedulerInfo } from './project-model.js'
import { identifierFromName } from './identifier-from-name.js'
import { readStringList } from './read-string-list.js'
import { resolveDeclaration, resolveDefiner } from './resolve-definer.js'
import { diagnosticAt } from './source-location.js'

/** BullMQ builds Redis keys as prefix:queue:suffix, so a colon in a name breaks them. */
const INVALID_QUEUE_NAME = /:/

/** Queue names the runtime uses itself; a worker wired on one would take the runtime's jobs. */
const RESERVED_QUEUE_NAMES: Record<string, string> = {
  'pikku-schedules': "the scheduler runs every scheduled task's ticks on it",
}

/** What differs between the two wirings; everything else is read the same way. */
const KINDS = {
  wireQueueWorker: { what: 'queue', exampleName: 'my-queue', example: 'wireQueueWorker({ name: "send-email", func: sendEmail })', inlineSuffix: 'Worker' },
  wireScheduler: { what: 'scheduled task', exampleName: 'my-task', example: 'wireScheduler({ name: "nightly-report", schedule: "0 3 * * *", func: buildReport })', inlineSuffix: 'Task' },
} as const
type Kind = keyof typeof KINDS

interface Wiring {
  kind: Kind
  call: ts.CallExpression
  argument: ts.ObjectLiteralExpression
  name: string
  nameNode: ts.Expression
  func: FoundFunction
  funcNode: ts.Expression
  tags: string[]
}

/**
 * Finds every wireQueueWorker and wireScheduler call, however they are
 * imported, and reports each one codegen cannot turn into meta. Inline
 * functions (`func: pikkuSessionlessFunc(...)`) get their id here, from the
 * wiring's name.
 */
export function findWirings(
  sourceFiles: readonly ts.SourceFile[],
  functions: readonly FoundFunction[],
  checker: ts.TypeChecker,
  isDefinerFile: (fileName: string) => boolean,
  rootDir: string,
  diagnostics: Diagnostic[],
): { queueWorkers: QueueWorkerInfo[]; schedulers: SchedulerInfo[] } {
  const queueWorkers: QueueWorkerInfo[] = []
  const schedulers: SchedulerInfo[] = []
  const firstWiring = new Map<string, ts.Node>()
  const byCall = new Map(functions.map((f) => [f.call as ts.Node, f]))
  const byDeclaration = new Map(functions.filter((f) => !f.inline).map((f) => [f.call.parent, f]))

  const read = (call: ts.CallExpression, kind: Kind): Wiring | undefined => {
    const { what, exampleName, example, inlineSuffix } = KINDS[kind]
    const [argument] = call.arguments
    if (!argument || !ts.isObjectLiteralExpression(argument)) {
      diagnostics.push(diagnosticAt(argument ?? call, `${kind} needs an object literal written in place, so codegen can read it: ${example}`))
      return undefined
    }
    const nameNode = propertyValue(argument, 'name')
    if (!nameNode) {
      const queueNode = propertyValue(argument, 'queue')
      diagnostics.push(
        queueNode
          ? diagnosticAt(queueNode.parent, `${kind} takes the ${what} name as name:, not queue: (rename the property: name: ${queueNode.getText()})`)
          : diagnosticAt(argument, `${kind} needs the ${what} name: add name: "${exampleName}"`),
      )
      return undefined
    }
    const nameType = checker.getTypeAtLocation(nameNode)
    if (!nameType.isStringLiteral()) {
      diagnostics.push(
        diagnosticAt(nameNode, `the ${what} name must be known when codegen runs: a string literal or a const holding one, not a value of type ${checker.typeToString(nameType)}`),
      )
      return undefined
    }
    const name = nameType.value
    if (name === '' || INVALID_QUEUE_NAME.test(name)) {
      diagnostics.push(diagnosticAt(nameNode, `${what} name "${name}" is not valid: use a non-empty name without ":"`))
      return undefined
    }
    if (kind === 'wireQueueWorker' && RESERVED_QUEUE_NAMES[name]) {
      diagnostics.push(diagnosticAt(nameNode, `queue name "${name}" is reserved: ${RESERVED_QUEUE_NAMES[name]}; choose another name`))
      return undefined
    }
    const key = `${kind}:${name}`
    const previous = firstWiring.get(key)
    if (previous) {
      const at = diagnosticAt(previous, '')
      diagnostics.push(diagnosticAt(nameNode, `${what} "${name}" is already wired at ${relative(rootDir, at.file)}:${at.line}:${at.column}; each ${what} has one function`))
      return undefined
    }
    firstWiring.set(key, nameNode)
    const funcNode = propertyValue(argument, 'func')
    if (!funcNode) {
      diagnostics.push(diagnosticAt(argument, `${what} "${name}" needs its function: ${example}`))
      return undefined
    }
    const func = byCall.get(funcNode) ?? byDeclaration.get(resolveDeclaration(funcNode, checker) as ts.Node)
    if (!func) {
      diagnostics.push(diagnosticAt(funcNode, `${what} "${name}": ${funcNode.getText()} is not a function declared with pikkuSessionlessFunc(...) in the source directories (declare it as export const ${ts.isIdentifier(funcNode) ? funcNode.text : 'myFunction'} = pikkuSessionlessFunc(...))`))
      return undefined
    }
    if (func.inline) func.id = `${identifierFromName(name)}${inlineSuffix}`
    if (func.workflow) {
      diagnostics.push(
        diagnosticAt(funcNode, `${what} "${name}": ${func.id} is a workflow, which runs on its own queues and is not wired: start it with services.workflows.start('${func.id}', input), from a function of its own if it must run from this ${what}`),
      )
      return undefined
    }
    if (!func.sessionless) {
      diagnostics.push(diagnosticAt(funcNode, `${what} "${name}": ${func.id} is declared with pikkuFunc, which needs a user session, and ${what}s have none; declare it with pikkuSessionlessFunc`))
      return undefined
    }
    const tagsNode = propertyValue(argument, 'tags')
    const tags = tagsNode ? readStringList(tagsNode, 'tags', checker, diagnostics) : []
    return { kind, call, argument, name, nameNode, func, funcNode, tags }
  }

  const inspect = (call: ts.CallExpression, kind: Kind) => {
    const wiring = read(call, kind)
    if (!wiring) return
    const { name, func, tags } = wiring
    const file = call.getSourceFile().fileName
    if (kind === 'wireQueueWorker') {
      queueWorkers.push({ name, functionId: func.id, file, tags })
      return
    }
    const schedule = readSchedule(wiring, checker, diagnostics)
    if (schedule === undefined) return
    if (func.validation !== 'none') {
      diagnostics.push(diagnosticAt(wiring.funcNode, `scheduled task "${name}": ${func.id} takes input, but a scheduled task runs with no data; declare it with pikkuVoidFunc, or with no data parameter`))
      return
    }
    schedulers.push({ name, schedule, functionId: func.id, file, tags })
  }

  for (const sourceFile of sourceFiles) {
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const definer = resolveDefiner(node, checker, isDefinerFile)
        if (definer === 'wireQueueWorker' || definer === 'wireScheduler') inspect(node, definer)
      }
      ts.forEachChild(node, visit)
    }
    visit(sourceFile)
  }
  return { queueWorkers, schedulers }
}

/**
 * When the task runs, for its meta: a cron `schedule` (checked with the parser BullMQ's job
 * schedulers use, so what passes here runs there) with an optional IANA `tz`, or an `every`
 * interval. Literals only: codegen must know the schedule.
 */
function readSchedule({ argument, name }: Wiring, checker: ts.TypeChecker, diagnostics: Diagnostic[]): string | undefined {
  const scheduleNode = propertyValue(argument, 'schedule')
  const everyNode = propertyValue(argument, 'every')
  const tzNode = propertyValue(argument, 'tz')
  if (scheduleNode && everyNode) {
    diagnostics.push(diagnosticAt(everyNode, `scheduled task "${name}" has both schedule and every; keep one: a cron pattern, or an interval`))
    return undefined
  }
  if (everyNode) {
    if (tzNode) diagnostics.push(diagnosticAt(tzNode, `tz of "${name}" only applies to a cron schedule, not to every; remove it`))
    const every = readEvery(everyNode, name, checker, diagnostics)
    return every === undefined || tzNode ? undefined : `every ${every}`
  }
  if (!scheduleNode) {
    diagnostics.push(diagnosticAt(argument, `scheduled task "${name}" needs schedule: a cron pattern, e.g. schedule: "0 3 * * *" (03:00 every day), or every: an interval, e.g. every: "5m"`))
    return undefined
  }
  const type = checker.getTypeAtLocation(scheduleNode)
  if (!type.isStringLiteral()) {
    diagnostics.push(diagnosticAt(scheduleNode, `the schedule of "${name}" must be known when codegen runs: a cron pattern as a string literal, e.g. "*/5 * * * *"`))
    return undefined
  }
  const tz = tzNode ? readTimeZone(tzNode, name, checker, diagnostics) : null
  if (tz === undefined) return undefined
  try {
    CronExpressionParser.parse(type.value, tz ? { tz } : {})
  } catch (error) {
    diagnostics.push(
      diagnosticAt(scheduleNode, `the schedule of "${name}", "${type.value}", is not a valid cron pattern (${(error as Error).message}); use 5 fields (minute hour day month weekday) or 6 with seconds first, e.g. "0 3 * * *"`),
    )
    return undefined
  }
  return type.value
}

/** The duration forms core's parseDurationString accepts (and the runtime uses), e.g. "30s", "5m", "1hour". */
const DURATION = /^\d+(ms|milliseconds?|s|sec|seconds?|m|min|minutes?|h|hour|hours?|d|day|days?|w|week|weeks?|y|year|years?)$/

function readEvery(node: ts.Expression, name: string, checker: ts.TypeChecker, diagnostics: Diagnostic[]): string | undefined {
  const type = checker.getTypeAtLocation(node)
  if (type.isNumberLiteral() && Number.isInteger(type.value) && type.value > 0) return `${type.value}ms`
  if (type.isStringLiteral() && DURATION.test(type.value)) return type.value
  diagnostics.push(diagnosticAt(node, `every of "${name}" must be a literal interval known when codegen runs: milliseconds (e.g. 300000) or a duration such as "30s", "5m", "1hour"`))
  return undefined
}

/** The IANA time zone, or undefined after reporting why it is not one. */
function readTimeZone(node: ts.Expression, name: string, checker: ts.TypeChecker, diagnostics: Diagnostic[]): string | undefined {
  const type = checker.getTypeAtLocation(node)
  if (type.isStringLiteral()) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: type.value })
      return type.value
    } catch {
      // reported below
    }
  }
  diagnostics.push(diagnosticAt(node, `tz of "${name}" must be an IANA time zone as a string literal, e.g. "Europe/Paris"`))
  return undefined
}
