/**
 * wireQueueWorker and wireScheduler: they refuse a wiring missing from the
 * generated meta (core would skip it silently), check output in development,
 * and apply the wiring's and its tags' permissions, which core 0.12.84 does
 * not.
 * A section of pikku-types.gen.ts; the names it uses are imported and
 * declared by renderFunctionTypes.
 */
export function renderWiringDefiners(): string {
  return `export interface QueueWorkerWiring<In, Out> extends CoreQueueWorker<PikkuFunctionConfig<In, Out>> {
  /** Checked for every job of this queue, in addition to the function's own permissions. */
  permissions?: PermissionGroup<In>
}

/** Registers a function as the worker of a queue; codegen reads these calls to type the producer. */
export function wireQueueWorker<In, Out>({ permissions, ...worker }: QueueWorkerWiring<In, Out>): void {
  if (!pikkuState(null, 'queue', 'meta')[worker.name]) {
    // Core would only warn and skip the worker, so its jobs would wait forever.
    throw new Error(\`Queue "\${worker.name}" is wired but missing from the generated meta: .pikku/ is out of date. Run \\\`npx pikku\\\` (npm run dev does it on every change).\`)
  }
  const checked = withOutputCheck(worker.func.func, pikkuState(null, 'queue', 'meta')[worker.name]!.pikkuFuncId)
  const tagged = withTagPermissions(checked, [...(worker.tags ?? []), ...(worker.func.tags ?? [])])
  const gated = permissions ? withPermissions(tagged, permissions, \`the wiring of queue "\${worker.name}"\`) : tagged
  coreWireQueueWorker({ ...worker, func: { ...worker.func, func: gated } } as CoreQueueWorker)
}

function withOutputCheck<F extends (services: any, data: any, wire: any) => Promise<any>>(func: F, functionId: string): F {
  const schemaName = pikkuState(null, 'function', 'meta')[functionId]?.outputSchemaName
  if (!CHECK_OUTPUT || !schemaName) return func
  const checked = async (services: any, data: any, wire: any) => {
    const result = await func(services, data, wire)
    await validateSchema(services.logger, services.schema, schemaName, result)
    return result
  }
  return checked as F
}

/** What to do when a scheduled tick fails: tries per tick, first included (default 1), and the wait between them. */
export interface ScheduledTaskRetries {
  attempts?: number
  backoff?: { type: 'fixed' | 'exponential'; delay: number }
}

/** When a scheduled task runs: a cron \`schedule\` (5 fields, or 6 with seconds first) in the server's or an IANA \`tz\`, or an \`every\` interval (ms, or '5m'). */
export type ScheduledTaskTiming = { schedule: string; tz?: string; every?: never } | { every: number | string; schedule?: never; tz?: never }

/**
 * Registers a function to run on a schedule; codegen checks it. The task runs
 * with no data.
 */
export function wireScheduler<In extends void | undefined | unknown, Out>(
  task: Omit<CoreScheduledTask<PikkuFunctionConfig<In, Out>, PikkuMiddleware>, 'schedule'> & ScheduledTaskTiming & ScheduledTaskRetries,
): void {
  if (!pikkuState(null, 'scheduler', 'meta')[task.name]) {
    throw new Error(\`Scheduled task "\${task.name}" is wired but missing from the generated meta: .pikku/ is out of date. Run \\\`npx pikku\\\` (npm run dev does it on every change).\`)
  }
  const functionId = pikkuState(null, 'scheduler', 'meta')[task.name]!.pikkuFuncId
  const func = withTagPermissions(withOutputCheck(task.func.func, functionId), [...(task.tags ?? []), ...(task.func.tags ?? [])])
  coreWireScheduler({ ...task, func: { ...task.func, func } } as CoreScheduledTask)
}

/** Permissions by tag (addTagPermission); core 0.12.84 has global and per-function permissions only, so wirings apply these. */
const tagPermissions = new Map<string, PermissionGroup[]>()

/**
 * Permissions for every function and wiring tagged \`tag\`, in addition to their own; returns the group,
 * so it can be the body of an exported factory that codegen calls from the bootstrap. A top-level call
 * works too: codegen loads its file before any wiring.
 */
export const addTagPermission = (tag: string, permissions: PermissionGroup): PermissionGroup => {
  tagPermissions.set(tag, [...(tagPermissions.get(tag) ?? []), permissions])
  return permissions
}

/** The name earlier versions of this project use for addTagPermission. */
export const addPermission = addTagPermission

/**
 * The permissions of these tags around func, looked up on the first call: a hook factory may register
 * them after the wiring's file has loaded (the bootstrap imports both before calling the factories).
 */
function withTagPermissions<F extends (services: any, data: any, wire: any) => Promise<any>>(func: F, tags: readonly string[]): F {
  if (tags.length === 0) return func
  let gated: F | undefined
  const lazy = (services: any, data: any, wire: any) => {
    gated ??= [...new Set(tags)].reduce(
      (inner, tag) => (tagPermissions.get(tag) ?? []).reduce((next, group) => withPermissions(next, group, \`tag "\${tag}"\`), inner),
      func,
    )
    return gated(services, data, wire)
  }
  return lazy as F
}

function withPermissions<F extends (services: any, data: any, wire: any) => Promise<any>>(func: F, group: PermissionGroup, deniedBy: string): F {
  const checked = async (services: any, data: any, wire: any) => {
    const entries = Object.values(group)
    for (const entry of entries) {
      const all = Array.isArray(entry) ? entry : [entry]
      if ((await Promise.all(all.map((permission) => permission(services, data, wire)))).every(Boolean)) return func(services, data, wire)
    }
    if (entries.length === 0) return func(services, data, wire)
    throw new ForbiddenError(\`Permission denied by \${deniedBy}\`)
  }
  return checked as F
}
`
}
