import type { ApplicationTypes } from '../project-model.js'
import { GENERATED_HEADER, importPath } from './import-path.js'

/**
 * The typed definers users write their code with (pikkuSessionlessFunc,
 * wireQueueWorker, pikkuServices, …), bound to the project's own Config,
 * services and session types; core's types stand in for any it lacks.
 */
export function renderFunctionTypes(outFile: string, types: ApplicationTypes): string {
  const namesByFile = new Map<string, string[]>()
  const fallbacks: string[] = []
  const coreTypes = ['CorePikkuMiddleware', 'CreateConfig', 'PickRequired']
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
import { pikkuMiddleware as corePikkuMiddleware } from '@pikku/core'
import { setSingletonServices } from '@pikku/core/ecosystem'
import type { PikkuWire, SecretlessServices } from '@pikku/core/ecosystem/types'
import type {
  CorePikkuFunction,
  CorePikkuFunctionConfig,
  CorePikkuFunctionSessionless,
  CorePikkuPermission,
  CorePikkuSessionlessFunctionConfig,
} from '@pikku/core/function'
import { wireQueueWorker as coreWireQueueWorker, type CoreQueueWorker } from '@pikku/core/queue'
${imports.join('\n')}
${fallbacks.map((fallback) => `${fallback}\n`).join('')}
/** What a function sees: every service except secrets, which core withholds from function bodies. */
type WiredServices = SecretlessServices<Services>

export type PikkuFunctionSessionless<In = unknown, Out = never, RequiredWires extends keyof PikkuWire = never> =
  CorePikkuFunctionSessionless<In, Out, WiredServices, UserSession, PickRequired<PikkuWire<In, Out, false, UserSession>, RequiredWires>>

export type PikkuFunction<In = unknown, Out = never, RequiredWires extends keyof PikkuWire = 'session'> =
  CorePikkuFunction<In, Out, WiredServices, UserSession, PickRequired<PikkuWire<In, Out, true, UserSession>, RequiredWires>>

export type PikkuPermission<In = any> = CorePikkuPermission<In, WiredServices>
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

/** A function that runs without a user session: what every queue worker is. */
export function pikkuSessionlessFunc<In, Out = unknown>(
  func:
    | PikkuFunctionSessionless<In, Out>
    | CorePikkuSessionlessFunctionConfig<PikkuFunctionSessionless<In, Out>, PikkuPermission<In>, PikkuMiddleware>,
): PikkuFunctionConfig<In, Out> {
  return typeof func === 'function' ? { func } : func
}

/** A function that needs a user session (HTTP, channels); queue jobs have none, so it cannot be a queue worker. */
export function pikkuFunc<In, Out = unknown>(
  func: PikkuFunction<In, Out> | CorePikkuFunctionConfig<PikkuFunction<In, Out>, PikkuPermission<In>, PikkuMiddleware>,
): PikkuFunctionConfig<In, Out> {
  return typeof func === 'function' ? { func } : func
}

/** Registers a function as the worker of a queue; codegen reads these calls to type the producer. */
export function wireQueueWorker<In, Out>(worker: CoreQueueWorker<PikkuFunctionConfig<In, Out>>): void {
  coreWireQueueWorker(worker as CoreQueueWorker)
}

export const pikkuMiddleware = (middleware: PikkuMiddleware): PikkuMiddleware =>
  corePikkuMiddleware<SingletonServices, UserSession>(middleware)

export const pikkuConfig = (createConfig: CreateConfig<Config, []>): CreateConfig<Config, []> => createConfig

/**
 * Wraps the factory of the process-wide services. The wrapper merges what the
 * runtime already built (\`existing\`, e.g. queueService) and hands the result to
 * core, which runs every job with it.
 */
export function pikkuServices(
  createServices: (config: Config, existing: Partial<SingletonServices>) => Promise<SingletonServices>,
): (config: Config, existing?: Partial<SingletonServices>) => Promise<SingletonServices> {
  return async (config, existing = {}) => {
    const services: SingletonServices = { ...existing, ...(await createServices(config, existing)) }
    setSingletonServices(services)
    return services
  }
}
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
