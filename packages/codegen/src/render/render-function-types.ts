import type { ApplicationTypes } from '../project-model.js'
import { GENERATED_HEADER, importPath } from './import-path.js'
import { renderMiddlewareAndPermissionDefiners } from './render-middleware-and-permission-definers.js'
import { renderServiceDefiners } from './render-service-definers.js'
import { renderWiringDefiners } from './render-wiring-definers.js'
import { renderWorkflowDefiners } from './render-workflow-definers.js'

/**
 * The typed definers users write their code with (pikkuSessionlessFunc,
 * wireQueueWorker, pikkuServices, …), bound to the project's own Config,
 * services and session types; core's types stand in for any it lacks.
 */
export function renderFunctionTypes(
  outFile: string,
  types: ApplicationTypes,
  files: { schemaService: string; standardSchemaValidation: string; queue: string; workflow: string; workflowMap: string },
): string {
  const namesByFile = new Map<string, string[]>()
  const fallbacks: string[] = []
  const coreTypes = ['CorePermissionGroup', 'CorePikkuMiddleware', 'CorePikkuMiddlewareConfig', 'CorePikkuMiddlewareGroup', 'CreateConfig', 'PickRequired', 'Safe']
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
  addFunction as coreAddFunction,
  addGlobalMiddleware as coreAddGlobalMiddleware,
  addMiddleware as coreAddMiddleware,
  pikkuState,
  setSingletonServices,
  type CreateWireServices,
} from '@pikku/core/ecosystem'
import { ForbiddenError } from '@pikku/core/errors'
import { validateSchema } from '@pikku/core/schema'
import type { PikkuWire, SecretlessServices } from '@pikku/core/ecosystem/types'
import {
  pikkuAuth as corePikkuAuth,
  type CorePikkuFunction,
  type CorePikkuFunctionConfig,
  type CorePikkuFunctionSessionless,
  type CorePikkuPermission,
  type CorePikkuSessionlessFunctionConfig,
} from '@pikku/core/function'
import { wireQueueWorker as coreWireQueueWorker, type CoreQueueWorker, type QueueService } from '@pikku/core/queue'
import type { PikkuRPC } from '@pikku/core/rpc'
import { wireScheduler as coreWireScheduler, type CoreScheduledTask } from '@pikku/core/scheduler'
import { addWorkflow as coreAddWorkflow, type WorkflowRun, type WorkflowService, type WorkflowStepOptions as CoreWorkflowStepOptions } from '@pikku/core/workflow'
import type { StandardSchemaV1 } from '@standard-schema/spec'
import { JsonSchemaService } from '${importPath(outFile, files.schemaService)}'
import { PikkuQueue } from '${importPath(outFile, files.queue)}'
import { PikkuWorkflows } from '${importPath(outFile, files.workflow)}'
import type { RPCMap, RPCName, WorkflowMap, WorkflowName } from '${importPath(outFile, files.workflowMap)}'
import { CHECK_OUTPUT, inputValidator, isStandardSchema, VALIDATE_INPUT, withStandardSchemas } from '${importPath(outFile, files.standardSchemaValidation)}'
${imports.join('\n')}
${fallbacks.map((fallback) => `${fallback}\n`).join('')}
/** The project's own types (or core's, where it declares none), as \`#pikku/setup\` offers them. */
export type { Config, Services, SingletonServices, UserSession }
/** Each function's and workflow's input and output, by id, as \`#pikku/workflow\` offers them. */
export type { RPCMap, RPCName, WorkflowMap, WorkflowName }

/** What pikkuServices adds to the project's services: the typed producer and workflow client, so functions can enqueue jobs and start workflows. */
export interface ProvidedServices {
  /** Adds jobs to the wired queues, checked against each worker's input type. */
  queues: PikkuQueue
  /** Starts and awaits the project's workflows, checked against each workflow's input and output types. */
  workflows: PikkuWorkflows
}

/** What a function sees: every service except secrets, which core withholds from function bodies. */
type WiredServices = SecretlessServices<Services & ProvidedServices>

export type PikkuFunctionSessionless<In = unknown, Out = never, RequiredWires extends keyof PikkuWire = never> =
  CorePikkuFunctionSessionless<In, Out, WiredServices, UserSession, PickRequired<PikkuWire<In, Out, false, UserSession, TypedRPC>, RequiredWires>>

export type PikkuFunction<In = unknown, Out = never, RequiredWires extends keyof PikkuWire = 'session'> =
  CorePikkuFunction<In, Out, WiredServices, UserSession, PickRequired<PikkuWire<In, Out, true, UserSession, TypedRPC>, RequiredWires>>

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

/**
 * Core takes a config object; Standard Schemas given as input/output are run by a wrapper, since core does not
 * run them, and the input one is also offered to the runtime (VALIDATE_INPUT), to validate where core would.
 */
function toFunctionConfig(definition: ((...args: any[]) => any) | { func: (...args: any[]) => any; input?: unknown; output?: unknown }): PikkuFunctionConfig<any, any> {
  const config = typeof definition === 'function' ? { func: definition } : definition
  if (!isStandardSchema(config.input) && !isStandardSchema(config.output)) return config as PikkuFunctionConfig<any, any>
  const { input, output, ...rest } = config
  return {
    ...rest,
    func: withStandardSchemas(config.func as (s: any, d: any, w: any) => Promise<any>, input, output),
    [VALIDATE_INPUT]: inputValidator(input),
  } as PikkuFunctionConfig<any, any>
}

${renderWiringDefiners()}
${renderWorkflowDefiners()}
${renderMiddlewareAndPermissionDefiners()}
${renderServiceDefiners()}`
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
