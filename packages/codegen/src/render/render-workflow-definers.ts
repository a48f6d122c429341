/**
 * pikkuWorkflowFunc and pikkuWorkflowComplexFunc, the typed workflow their func's wire
 * carries, the typed `wire.rpc` of every function (startWorkflow checked against each
 * workflow's input), and what the generated workflow wirings register workflows and their
 * step functions with.
 * A section of pikku-types.gen.ts; the names it uses are imported and declared by
 * renderFunctionTypes, and by renderWiringDefiners (withOutputCheck, withTagPermissions).
 */
export function renderWorkflowDefiners(): string {
  return `/**
 * The workflow a workflow function's wire carries, typed with the project's functions and
 * workflows: a step names one of them and is given its input type, and returns its output.
 * It is not intersected with core's PikkuWorkflowWire, whose untyped do() would accept any
 * name and data.
 */
export interface TypedWorkflow {
  /** The workflow's name. */
  readonly name: string
  /** This run's id. */
  readonly runId: string
  /** This run, as stored. */
  getRun(): Promise<WorkflowRun>
  // The inline form comes first: trying the rpc form on a function would resolve every entry of
  // RPCMap, including the one of the workflow being declared, whose type is not known yet.
  /** Runs inline work as a step, inside the orchestration: once per run, its result recorded. */
  do<T>(stepName: string, fn: () => Promise<T> | T, options?: InlineStepOptions): Promise<T>
  /**
   * Runs a function or a workflow (a sub-workflow) of the project as a step: once per run, its
   * result recorded, and replayed from the record when the run resumes. A function with
   * \`workflowQueued: true\` runs as a job of its own on queue wf-step-<function>.
   */
  do<Name extends RPCName>(stepName: string, rpcName: Name, ...dataAndOptions: StepArguments<RPCMap[Name]['input']>): Promise<RPCMap[Name]['output']>
  /** Waits without holding a worker: the run resumes from a delayed job. \`duration\` in ms, or '30s', '5m', '1h'. */
  sleep(stepName: string, duration: string | number): Promise<void>
}

/**
 * A step's options: \`retries\`, \`retryDelay\`, \`description\`, and \`onError\`, a function or
 * workflow of the project run as compensation once the step has failed for good (it is given
 * \`{ error: { message } }\`; the run still fails).
 */
export type WorkflowStepOptions = Omit<CoreWorkflowStepOptions, 'onError' | 'actor'> & { onError?: RPCName }

/** An inline step's options: core runs no compensation for one, so it takes no onError. */
export type InlineStepOptions = Omit<CoreWorkflowStepOptions, 'onError' | 'actor'>

/** A step's data and options: a function that takes no data is named with none (\`workflow.do('Audit', 'audit')\`). */
type StepArguments<In> = [In] extends [void] ? [data?: In, options?: WorkflowStepOptions] : [data: Safe<In>, options?: WorkflowStepOptions]

/** Starts a workflow of the project from a function: \`wire.rpc.startWorkflow('orderWorkflow', input)\`. */
export type TypedStartWorkflow = <Name extends WorkflowName>(name: Name, input: WorkflowMap[Name]['input']) => Promise<{ runId: string }>

/** Core's PikkuRPC with startWorkflow typed by the project's workflows. */
export type TypedRPC = PikkuRPC<PikkuRPC['invoke'], PikkuRPC['remote'], TypedStartWorkflow>

/** The wire of a workflow's func: a sessionless function's, with the typed workflow. */
export type WorkflowFunctionWire<In = unknown, Out = unknown> = Omit<PikkuWire<In, Out, false, UserSession, TypedRPC>, 'workflow'> & { workflow: TypedWorkflow }

export type PikkuWorkflowFunction<In = unknown, Out = never> = (services: WiredServices, data: In, wire: WorkflowFunctionWire<In, Out>) => Promise<Safe<Out>>

type WorkflowConfig<In, Out> = CorePikkuSessionlessFunctionConfig<PikkuWorkflowFunction<In, Out>, PikkuPermission<In>, PikkuMiddleware>

/**
 * A durable workflow: a sessionless function whose steps (\`workflow.do\`, \`workflow.sleep\`) are
 * recorded, so a run carries on where it was after a restart or a crash. Its name is the const it
 * is exported as; start it with \`services.workflows.start(name, input)\`. Its input is validated
 * like a function's (TypeScript type or Standard Schema \`input:\`).
 */
export function pikkuWorkflowFunc<InputSchema extends StandardSchemaV1, OutputSchema extends StandardSchemaV1 | undefined = undefined>(
  config: WithSchemas<WorkflowConfig<StandardSchemaV1.InferOutput<InputSchema>, SchemaOutput<OutputSchema>>, InputSchema, OutputSchema>,
): PikkuFunctionConfig<StandardSchemaV1.InferOutput<InputSchema>, SchemaOutput<OutputSchema>>
export function pikkuWorkflowFunc<In, Out = unknown>(func: PikkuWorkflowFunction<In, Out> | WorkflowConfig<In, Out>): PikkuFunctionConfig<In, Out>
export function pikkuWorkflowFunc(func: PikkuWorkflowFunction<any, any> | WorkflowConfig<any, any>): PikkuFunctionConfig<any, any> {
  return toFunctionConfig(func)
}

/** pikkuWorkflowFunc for a workflow Pikku's DSL tooling cannot read; core's meta records its source as 'complex'. It runs the same way. */
export const pikkuWorkflowComplexFunc = pikkuWorkflowFunc

/**
 * Registers a workflow with core (the generated workflow wirings call it), with its tags'
 * permissions and the output check in development, as a wiring gives a function them.
 */
export function registerWorkflow(name: string, workflow: PikkuFunctionConfig<any, any>): void {
  coreAddWorkflow(name, withWiringChecks(name, workflow))
}

/** Registers a function that workflow steps run and no wiring registers, so a step finds it by name. */
export function registerWorkflowStep(functionId: string, func: PikkuFunctionConfig<any, any>): void {
  coreAddFunction(functionId, withWiringChecks(functionId, func))
}

function withWiringChecks(functionId: string, config: PikkuFunctionConfig<any, any>): PikkuFunctionConfig<any, any> {
  return { ...config, func: withTagPermissions(withOutputCheck(config.func, functionId), config.tags ?? []) }
}
`
}
