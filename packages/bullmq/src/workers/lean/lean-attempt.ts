import { runMiddleware, verifyScopes, withoutSecrets, type CorePikkuMiddleware } from '@pikku/core'
import { pikkuState } from '@pikku/core/ecosystem'
import type { CoreQueueWorker } from '@pikku/core/queue'
import { applyDefaultsFromSchema, validateSchema } from '@pikku/core/schema'
import type { InputValidator } from '../input-validation.js'
import { isJobControlsMiddleware } from '../job-controls-middleware.js'
import type { QueueWire } from '../queue-wire.js'
import { FunctionPermissions } from './function-permissions.js'
import { LeanWire } from './lean-wire.js'
import { queueMiddleware } from './queue-middleware.js'

type Services = Record<string, any>
type CreateWireServices = ((singletons: any, wire: any) => Promise<Services | undefined> | Services | undefined) | undefined
type Func = (services: Services, data: unknown, wire: unknown) => Promise<unknown>
type Middleware = CorePikkuMiddleware<any, any>

/**
 * Outside an abort scope core's `beginChanges` does nothing, and a queue attempt never runs in one
 * (core opens scopes around agent and HTTP runs, never around a BullMQ processor).
 */
const beginChangesOutsideAScope = async (): Promise<void> => undefined

/**
 * A queue's attempt without core's per-call closures and accessors, for functions whose
 * configuration uses only what this path implements (see {@link prepareLeanAttempt}). The steps
 * are core's `runPikkuFunc`'s, in its order: middleware, scopes, input (defaults, then the JSON
 * Schema), permissions, wire services, the function. What differs is what is made per call: the
 * middleware chain and the function's permissions are worked out once, the secret-free views of
 * the services once per singletons object, the wire is a {@link LeanWire}, and a step that is
 * synchronous is not awaited. JSON-parsed job data holds no `undefined`, so the schema service
 * validates it as it is (core validates a copy without `undefined` values; data a Standard Schema
 * parsed still goes through core's `validateSchema`). test/lean-attempt.test.ts runs every
 * configuration through both paths and asserts the same outcome.
 */
export class LeanAttempt {
  private readonly func: Func
  /** The chain core would run, without pikku-bullmq's job-controls middleware, which has nothing to do for a QueueWire. */
  private readonly middleware: readonly Middleware[]
  private readonly permissions: FunctionPermissions
  private readonly scopes: string[] | undefined
  private readonly inputSchemaName: string | undefined
  private readonly inputSchema: unknown
  private readonly readonly: boolean
  private viewsOf: Services | undefined
  private functionView: Services | undefined
  private permissionView: Services | undefined

  constructor(
    private readonly queueName: string,
    private readonly functionId: string,
    funcConfig: { func: Func; middleware?: Middleware[]; permissions?: any; scopes?: string[] },
    funcMeta: { middleware?: any[]; scopes?: string[]; inputSchemaName?: string | null; readonly?: boolean },
    wiring: { inheritedMiddleware?: any[]; middleware?: Middleware[] },
  ) {
    this.func = funcConfig.func
    const chain = queueMiddleware({ wireInherited: wiring.inheritedMiddleware, wire: wiring.middleware, funcInherited: funcMeta.middleware, func: funcConfig.middleware })
    this.middleware = chain.filter((middleware) => !isJobControlsMiddleware(middleware))
    this.permissions = new FunctionPermissions(funcConfig.permissions)
    this.scopes = funcConfig.scopes ?? funcMeta.scopes
    this.inputSchemaName = funcMeta.inputSchemaName ?? undefined
    this.inputSchema = this.inputSchemaName && pikkuState(null, 'misc', 'schemas').get(this.inputSchemaName)
    this.readonly = funcMeta.readonly === true
  }

  /** Whether the function's input schema is registered (if it names one): core reports a missing one. */
  get hasItsSchema(): boolean {
    return !this.inputSchemaName || this.inputSchema !== undefined
  }

  /** Runs the attempt on the job's data, parsed first by its Standard Schema when it has one. */
  run(traceId: string, queue: QueueWire, jobData: unknown, validateInput: InputValidator | undefined, singletons: Services, createWireServices: CreateWireServices): Promise<unknown> {
    const wire = new LeanWire(traceId, queue, validateInput !== undefined, this.queueName, this.functionId, singletons.credentialService)
    const execute = () => this.execute(wire, jobData, validateInput, singletons, createWireServices)
    return this.middleware.length > 0 ? runMiddleware(singletons as never, wire as never, this.middleware as never, execute) : execute()
  }

  /**
   * Core's steps from the middleware's hand-over to the function's result. Synchronous while every
   * step is (most jobs: no Standard Schema, no permissions, no wire services), so it makes no
   * promise of its own; a thrown error still reaches the same handlers as a rejection would.
   */
  private execute(wire: LeanWire, jobData: unknown, validateInput: InputValidator | undefined, singletons: Services, createWireServices: CreateWireServices): Promise<unknown> {
    if (!this.readonly) wire.beginChanges = beginChangesOutsideAScope
    if (this.scopes) verifyScopes(this.scopes, undefined)
    if (validateInput || this.permissions.apply || createWireServices) return this.executeInSteps(wire, jobData, validateInput, singletons, createWireServices)
    const data = this.inputSchemaName ? applyDefaultsFromSchema(this.inputSchemaName, jobData, null) : jobData
    const validating = this.inputSchemaName ? this.validate(singletons, data, false) : undefined
    if (validating) return validating.then(() => this.callFunction(wire, data, singletons))
    return this.callFunction(wire, data, singletons)
  }

  private async executeInSteps(wire: LeanWire, jobData: unknown, validateInput: InputValidator | undefined, singletons: Services, createWireServices: CreateWireServices): Promise<unknown> {
    let data = validateInput ? await validateInput(jobData) : jobData
    if (this.inputSchemaName) {
      data = applyDefaultsFromSchema(this.inputSchemaName, data, null)
      await this.validate(singletons, data, validateInput !== undefined)
    }
    this.refreshViews(singletons)
    if (this.permissions.apply) await this.permissions.check(this.permissionView as never, data, wire)
    const wireServices = await createWireServices?.(singletons, wire)
    if (!wireServices || Object.keys(wireServices).length === 0) return this.callFunction(wire, data, singletons)
    try {
      const services = { ...singletons, ...wireServices }
      wire.enableRpc(services)
      return await this.func(withoutSecrets(services, 'a pikku function'), data, wire)
    } finally {
      await closeWireServices(singletons.logger, wireServices)
    }
  }

  /** The function on the singletons (no wire services): its secret-free view is made once. */
  private callFunction(wire: LeanWire, data: unknown, singletons: Services): Promise<unknown> {
    this.refreshViews(singletons)
    wire.enableRpc(singletons)
    return this.func(this.functionView!, data, wire)
  }

  /**
   * The JSON Schema check core makes, on the schema found once; undefined when it finished
   * synchronously. Data a Standard Schema parsed goes through core's validateSchema, which first
   * strips the undefined values such output may hold (JSON-parsed job data holds none).
   */
  private validate(singletons: Services, data: unknown, parsedByStandardSchema: boolean): Promise<void> | undefined {
    const schemaService = singletons.schema
    if (!schemaService) return undefined
    if (parsedByStandardSchema) return validateSchema(singletons.logger, schemaService, this.inputSchemaName!, data, null)
    const compiling = schemaService.compileSchema(this.inputSchemaName, this.inputSchema)
    if (compiling instanceof Promise) return compiling.then(() => schemaService.validateSchema(this.inputSchemaName, data ?? {}))
    const validating = schemaService.validateSchema(this.inputSchemaName, data ?? {})
    return validating instanceof Promise ? validating : undefined
  }

  /** The secret-free views of the singletons, made again only when the singletons object changes. */
  private refreshViews(singletons: Services): void {
    if (this.viewsOf === singletons) return
    this.viewsOf = singletons
    this.functionView = withoutSecrets(singletons, 'a pikku function')
    this.permissionView = withoutSecrets(singletons, 'a permission')
  }
}

/**
 * The lean attempt for a queue, or undefined when its function needs what only core's runner does:
 * a session (functions that are not sessionless, or `auth: true`), an audit trail, a function or
 * meta core would find only through a version fallback, or an input schema that is not registered.
 */
export function prepareLeanAttempt(queueName: string, pikkuFuncId: string, registration: CoreQueueWorker, wiringMiddleware: any[] | undefined): LeanAttempt | undefined {
  const funcConfig = pikkuState(null, 'function', 'functions').get(pikkuFuncId) as any
  const funcMeta = pikkuState(null, 'function', 'meta')[pikkuFuncId] as any
  if (!funcConfig || !funcMeta || typeof funcConfig.func !== 'function') return undefined
  if (funcMeta.sessionless !== true || funcConfig.auth === true || funcConfig.audit) return undefined
  const attempt = new LeanAttempt(queueName, funcMeta.pikkuFuncId ?? pikkuFuncId, funcConfig, funcMeta, { inheritedMiddleware: wiringMiddleware, middleware: registration.middleware as never })
  return attempt.hasItsSchema ? attempt : undefined
}

/** Core's closing of wire services (not exported): every `close()` awaited, failures logged. */
async function closeWireServices(logger: { error(error: unknown): void }, wireServices: Services): Promise<void> {
  await Promise.all(
    Object.values(wireServices).map(async (service) => {
      if (!service?.close) return
      try {
        await service.close()
      } catch (error) {
        logger.error(error)
      }
    }),
  )
}
