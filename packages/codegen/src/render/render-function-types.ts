import type { ApplicationTypes } from '../project-model.js'
import { GENERATED_HEADER, importPath } from './import-path.js'

/**
 * The typed definers users write their code with (pikkuSessionlessFunc,
 * wireQueueWorker, pikkuServices, …), bound to the project's own Config,
 * services and session types; core's types stand in for any it lacks.
 */
export function renderFunctionTypes(
  outFile: string,
  types: ApplicationTypes,
  files: { schemaService: string; standardSchemaValidation: string; queue: string },
): string {
  const namesByFile = new Map<string, string[]>()
  const fallbacks: string[] = []
  const coreTypes = ['CorePermissionGroup', 'CorePikkuMiddleware', 'CorePikkuMiddlewareConfig', 'CorePikkuMiddlewareGroup', 'CreateConfig', 'PickRequired']
  for (const slot of SLOTS) {
    const ref = types[slot.key]
    if (ref) {
      const names = namesByFile.get(ref.file) ?? []
      names.push(ref.name === slot.alias ? slot.alias : `${ref.name} as ${slot.alias}`)
      namesByFile.set(ref.file, names)
    } else {
      fallbacks.push(`type ${slot.alias} = ${slot.fallback}`)
      coreTypes.push(slot.coreType)
    }
  }
  const imports = [...namesByFile].map(([file, names]) => `import type { ${names.join(', ')} } from '${importPath(outFile, file)}'`)
  coreTypes.sort()

  return `${GENERATED_HEADER}import type { ${coreTypes.join(', ')} } from '@pikku/core'
import { addGlobalPermission as coreAddGlobalPermission, pikkuMiddleware as corePikkuMiddleware } from '@pikku/core'
import {
  addGlobalMiddleware as coreAddGlobalMiddleware,
  addMiddleware as coreAddMiddleware,
  pikkuState,
  setSingletonServices,
} from '@pikku/core/ecosystem'
import { ForbiddenError } from '@pikku/core/errors'
import { validateSchema } from '@pikku/core/schema'
import type { PikkuWire, SecretlessServices } from '@pikku/core/ecosystem/types'
import type {
  CorePikkuFunction,
  CorePikkuFunctionConfig,
  CorePikkuFunctionSessionless,
  CorePikkuPermission,
  CorePikkuSessionlessFunctionConfig,
} from '@pikku/core/function'
import { wireQueueWorker as coreWireQueueWorker, type CoreQueueWorker } from '@pikku/core/queue'
import { wireScheduler as coreWireScheduler, type CoreScheduledTask } from '@pikku/core/scheduler'
import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { QueueService } from '@pikku/core/queue'
import { JsonSchemaService } from '${importPath(outFile, files.schemaService)}'
import { PikkuQueue } from '${importPath(outFile, files.queue)}'
import { isStandardSchema, withStandardSchemas } from '${importPath(outFile, files.standardSchemaValidation)}'
${imports.join('\n')}
${fallbacks.map((fallback) => `${fallback}\n`).join('')}
/** What pikkuServices adds to the project's services: the typed producer, so functions can enqueue jobs. */
export interface ProvidedServices {
  /** Adds jobs to the wired queues, checked against each worker's input type. */
  queues: PikkuQueue
}

/** What a function sees: every service except secrets, which core withholds from function bodies. */
type WiredServices = SecretlessServices<Services & ProvidedServices>

export type PikkuFunctionSessionless<In = unknown, Out = never, RequiredWires extends keyof PikkuWire = never> =
  CorePikkuFunctionSessionless<In, Out, WiredServices, UserSession, PickRequired<PikkuWire<In, Out, false, UserSession>, RequiredWires>>

export type PikkuFunction<In = unknown, Out = never, RequiredWires extends keyof PikkuWire = 'session'> =
  CorePikkuFunction<In, Out, WiredServices, UserSession, PickRequired<PikkuWire<In, Out, true, UserSession>, RequiredWires>>

export type PikkuPermission<In = any> = CorePikkuPermission<In, WiredServices>
/** Permissions by name: the function runs if any entry passes; an array entry passes when all of its permissions do. */
export type PermissionGroup<In = any> = NonNullable<CorePermissionGroup<PikkuPermission<In>>>
export type PikkuMiddleware = CorePikkuMiddleware<SingletonServices, UserSession>

export type PikkuFunctionConfig<In = unknown, Out = unknown> = CorePikkuFunctionConfig<
  PikkuFunction<In, Out> | PikkuFunctionSessionless<In, Out>,
  PikkuPermission<In>,
  PikkuMiddleware
>

/** The input type of a function made with pikkuFunc or pikkuSessionlessFunc. */
export type FunctionInput<F> = F extends { func: (services: any, data: infer In, wire: any) => any } ? In : never
/**
 * The output type of a function made with pikkuFunc or pikkuSessionlessFunc.
 * Core types every function as possibly returning void (for channels), so
 * void is dropped unless it is all the function returns.
 */
export type FunctionOutput<F> = F extends { func: (...args: any[]) => infer R }
  ? [Awaited<R>] extends [void] ? void : Exclude<Awaited<R>, void>
  : never

type SessionlessConfig<In, Out> = CorePikkuSessionlessFunctionConfig<PikkuFunctionSessionless<In, Out>, PikkuPermission<In>, PikkuMiddleware>
type SessionConfig<In, Out> = CorePikkuFunctionConfig<PikkuFunction<In, Out>, PikkuPermission<In>, PikkuMiddleware>
/** What a function must return when it declares an output schema: what the schema accepts. */
type SchemaOutput<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferInput<S> : unknown
/** The config form with a Standard Schema (zod 4, valibot, …) as input: the schema types the function and validates its data. */
type WithSchemas<Config, InputSchema, OutputSchema> = Omit<Config, 'input' | 'output'> & { input: InputSchema; output?: OutputSchema }

/** A function that runs without a user session: what every queue worker is. */
export function pikkuSessionlessFunc<InputSchema extends StandardSchemaV1, OutputSchema extends StandardSchemaV1 | undefined = undefined>(
  config: WithSchemas<SessionlessConfig<StandardSchemaV1.InferOutput<InputSchema>, SchemaOutput<OutputSchema>>, InputSchema, OutputSchema>,
): PikkuFunctionConfig<StandardSchemaV1.InferOutput<InputSchema>, SchemaOutput<OutputSchema>>
export function pikkuSessionlessFunc<In, Out = unknown>(func: PikkuFunctionSessionless<In, Out> | SessionlessConfig<In, Out>): PikkuFunctionConfig<In, Out>
export function pikkuSessionlessFunc(func: PikkuFunctionSessionless<any, any> | SessionlessConfig<any, any>): PikkuFunctionConfig<any, any> {
  return toFunctionConfig(func)
}

/** A sessionless function that takes no data and returns nothing. */
export function pikkuVoidFunc(func: PikkuFunctionSessionless<void, void> | SessionlessConfig<void, void>): PikkuFunctionConfig<void, void> {
  return toFunctionConfig(func)
}

/** A function that needs a user session (HTTP, channels); queue jobs have none, so it cannot be a queue worker. */
export function pikkuFunc<InputSchema extends StandardSchemaV1, OutputSchema extends StandardSchemaV1 | undefined = undefined>(
  config: WithSchemas<SessionConfig<StandardSchemaV1.InferOutput<InputSchema>, SchemaOutput<OutputSchema>>, InputSchema, OutputSchema>,
): PikkuFunctionConfig<StandardSchemaV1.InferOutput<InputSchema>, SchemaOutput<OutputSchema>>
export function pikkuFunc<In, Out = unknown>(func: PikkuFunction<In, Out> | SessionConfig<In, Out>): PikkuFunctionConfig<In, Out>
export function pikkuFunc(func: PikkuFunction<any, any> | SessionConfig<any, any>): PikkuFunctionConfig<any, any> {
  return toFunctionConfig(func)
}

/** Core takes a config object; Standard Schemas given as input/output are run by a wrapper, since core does not run them. */
function toFunctionConfig(definition: ((...args: any[]) => any) | { func: (...args: any[]) => any; input?: unknown; output?: unknown }): PikkuFunctionConfig<any, any> {
  const config = typeof definition === 'function' ? { func: definition } : definition
  if (!isStandardSchema(config.input) && !isStandardSchema(config.output)) return config as PikkuFunctionConfig<any, any>
  const { input, output, ...rest } = config
  return { ...rest, func: withStandardSchemas(config.func as (s: any, d: any, w: any) => Promise<any>, input, output) } as PikkuFunctionConfig<any, any>
}

export interface QueueWorkerWiring<In, Out> extends CoreQueueWorker<PikkuFunctionConfig<In, Out>> {
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
  const gates = tagPermissionGates([...(worker.tags ?? []), ...(worker.func.tags ?? [])])
  if (permissions) gates.push({ group: permissions, deniedBy: \`the wiring of queue "\${worker.name}"\` })
  const func = { ...worker.func, func: gates.reduce((inner, { group, deniedBy }) => withPermissions(inner, group, deniedBy), checked) }
  coreWireQueueWorker({ ...worker, func } as CoreQueueWorker)
}

/** Output is checked against its schema while NODE_ENV is not "production": a wrong result is a bug to see in development. */
const CHECK_OUTPUT = process.env.NODE_ENV !== 'production'

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

/**
 * Registers a function to run on a cron schedule (5 fields, or 6 with seconds
 * first); codegen checks the pattern. The task runs with no data.
 */
export function wireScheduler<In extends void | undefined | unknown, Out>(task: CoreScheduledTask<PikkuFunctionConfig<In, Out>, PikkuMiddleware>): void {
  if (!pikkuState(null, 'scheduler', 'meta')[task.name]) {
    throw new Error(\`Scheduled task "\${task.name}" is wired but missing from the generated meta: .pikku/ is out of date. Run \\\`npx pikku\\\` (npm run dev does it on every change).\`)
  }
  const functionId = pikkuState(null, 'scheduler', 'meta')[task.name]!.pikkuFuncId
  const gates = tagPermissionGates([...(task.tags ?? []), ...(task.func.tags ?? [])])
  const func = gates.reduce((inner, { group, deniedBy }) => withPermissions(inner, group, deniedBy), withOutputCheck(task.func.func, functionId))
  coreWireScheduler({ ...task, func: { ...task.func, func } } as CoreScheduledTask)
}

/** Permissions by tag (addPermission); core 0.12.84 has global and per-function permissions only, so wirings apply these. */
const tagPermissions = new Map<string, PermissionGroup[]>()

/** Permissions for every function and wiring tagged \`tag\`, in addition to their own. Codegen loads the file that calls this before any wiring. */
export const addPermission = (tag: string, permissions: PermissionGroup): void => {
  tagPermissions.set(tag, [...(tagPermissions.get(tag) ?? []), permissions])
}

function tagPermissionGates(tags: readonly string[]): Array<{ group: PermissionGroup; deniedBy: string }> {
  return [...new Set(tags)].flatMap((tag) => (tagPermissions.get(tag) ?? []).map((group) => ({ group, deniedBy: \`tag "\${tag}"\` })))
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

/** A permission: resolves true to let the function run. Pass a function, or { func, name, description }. */
export const pikkuPermission = <In = any>(
  permission: PikkuPermission<In> | { func: PikkuPermission<In>; name?: string; description?: string },
): PikkuPermission<In> => (typeof permission === 'function' ? permission : permission.func)

/** A permission built from options, e.g. pikkuPermissionFactory((role: string) => pikkuPermission(...)). */
export const pikkuPermissionFactory = <Options>(factory: (options: Options) => PikkuPermission): ((options: Options) => PikkuPermission) => factory

/** A middleware built from options, e.g. pikkuMiddlewareFactory((label: string) => pikkuMiddleware(...)). */
export const pikkuMiddlewareFactory = <Options>(factory: (options: Options) => PikkuMiddleware): ((options: Options) => PikkuMiddleware) => factory

/** Middleware around every function. Codegen loads the file that calls this before any wiring. */
export const addGlobalMiddleware = (middleware: PikkuMiddleware[]): void => {
  // Core's parameter is typed with core's services; these are the project's, a subtype.
  coreAddGlobalMiddleware(middleware as CorePikkuMiddlewareGroup)
}

/** Middleware around every function and wiring tagged \`tag\` (tags: ['tag']). Codegen loads the file that calls this before any wiring. */
export const addMiddleware = (tag: string, middleware: PikkuMiddleware[]): void => {
  coreAddMiddleware(tag, middleware as CorePikkuMiddlewareGroup)
}

/** Permissions every function must pass, in addition to its own. Codegen loads the file that calls this before any wiring. */
export const addGlobalPermission = (permissions: PermissionGroup | PikkuPermission[]): void => {
  coreAddGlobalPermission(permissions as CorePermissionGroup)
}

/** A middleware: a function, or { func, priority, name, description } (priority 'highest' … 'lowest' runs it earlier or later). */
export const pikkuMiddleware = (middleware: PikkuMiddleware | CorePikkuMiddlewareConfig<SingletonServices, UserSession>): PikkuMiddleware =>
  corePikkuMiddleware<SingletonServices, UserSession>(middleware)

export const pikkuConfig = (createConfig: CreateConfig<Config, []>): CreateConfig<Config, []> => createConfig

/**
 * Wraps the factory of the process-wide services. The wrapper merges what the
 * runtime already built (\`existing\`, e.g. queueService), adds the schema
 * service that validates job data unless you bring your own, and hands the
 * result to core, which runs every job with it.
 */
export function pikkuServices(
  createServices: (config: Config, existing: Partial<SingletonServices>) => Promise<SingletonServices>,
): (config: Config, existing?: Partial<SingletonServices>) => Promise<SingletonServices & ProvidedServices> {
  return async (config, existing = {}) => {
    const created: SingletonServices = { ...existing, ...(await createServices(config, existing)) }
    const services: SingletonServices & ProvidedServices = {
      ...created,
      // Core validates function input only when a schema service is present.
      schema: created.schema ?? new JsonSchemaService(),
      queues: new PikkuQueue(created.queueService ?? NO_QUEUE_SERVICE),
    }
    setSingletonServices(services)
    return services
  }
}

/** Stands in when the runtime passed no queueService, so services.queues fails with a reason rather than "undefined". */
const NO_QUEUE_SERVICE = new Proxy({} as QueueService, {
  get: (_target, property) => {
    if (property === 'then') return undefined
    throw new Error(\`services.queues.\${String(property)}: no queueService; pass one to createSingletonServices(config, { queueService })\`)
  },
})
`
}

/**
 * The names the generated code uses for the project's types, and the core
 * type that stands in when the project declares none.
 */
const SLOTS: ReadonlyArray<{ key: keyof ApplicationTypes; alias: string; coreType: string; fallback: string }> = [
  { key: 'config', alias: 'Config', coreType: 'CoreConfig', fallback: 'CoreConfig' },
  { key: 'singletonServices', alias: 'SingletonServices', coreType: 'CoreSingletonServices', fallback: 'CoreSingletonServices<Config>' },
  { key: 'services', alias: 'Services', coreType: 'CoreServices', fallback: 'CoreServices<SingletonServices>' },
  { key: 'session', alias: 'UserSession', coreType: 'CoreUserSession', fallback: 'CoreUserSession' },
]
