/**
 * pikkuConfig and pikkuServices: pikkuServices adds the schema service that
 * validates job data, the typed producer (services.queues) and the typed
 * workflow client (services.workflows).
 * A section of pikku-types.gen.ts; the names it uses are imported and
 * declared by renderFunctionTypes.
 */
export function renderServiceDefiners(): string {
  return `export const pikkuConfig = (createConfig: CreateConfig<Config, []>): CreateConfig<Config, []> => createConfig

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
      workflows: new PikkuWorkflows(created.workflowService ?? NO_WORKFLOW_SERVICE),
    }
    setSingletonServices(services)
    return services
  }
}

/**
 * Services created for each job, such as a transaction or a per-job client;
 * any with close() is closed after the job. Codegen loads the file that calls
 * this before any wiring.
 */
export function pikkuWireServices(
  createWireServices: (services: SingletonServices & ProvidedServices, wire: PikkuWire) => Promise<Omit<Services, keyof SingletonServices | 'session'>>,
): typeof createWireServices {
  pikkuState(null, 'package', 'factories', {
    ...pikkuState(null, 'package', 'factories'),
    createWireServices: createWireServices as unknown as CreateWireServices,
  })
  return createWireServices
}

/** Stands in when the runtime passed no queueService, so services.queues fails with a reason rather than "undefined". */
const NO_QUEUE_SERVICE = new Proxy({} as QueueService, {
  get: (_target, property) => {
    if (property === 'then') return undefined
    throw new Error(\`services.queues.\${String(property)}: no queueService; pass one to createSingletonServices(config, { queueService })\`)
  },
})

/** Stands in when the runtime passed no workflowService, so services.workflows fails with a reason rather than "undefined". */
const NO_WORKFLOW_SERVICE = new Proxy({} as WorkflowService, {
  get: (_target, property) => {
    if (property === 'then') return undefined
    throw new Error(\`services.workflows: no workflowService; pass one to createSingletonServices(config, { workflowService }) (pikku-bullmq: BullServiceFactory.getWorkflowService())\`)
  },
})
`
}
