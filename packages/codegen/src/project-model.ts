import type { JsonSchema } from './json-schema-from-type.js'

/** What codegen learned from the project's sources; every path is absolute. */
export interface ProjectModel {
  types: ApplicationTypes
  functions: PikkuFunctionInfo[]
  queueWorkers: QueueWorkerInfo[]
  schedulers: SchedulerInfo[]
  /** Durable workflows (pikkuWorkflowFunc, pikkuWorkflowComplexFunc); each is also one of `functions`, under the same id. */
  workflows: WorkflowInfo[]
  /** Functions workflow steps run that no queue or scheduler wiring registers with core: the workflow wirings register them. */
  unwiredStepFunctions: string[]
  /** Files that call a hook (addTagMiddleware, addGlobalPermission, pikkuWireServices, …) at their top level: loaded before any wiring. */
  hookFiles: string[]
  /** Exported factories that call hooks: the bootstrap calls each once, before any wiring. */
  hookFactories: HookFactory[]
}

/** `export const auditTag = () => addTagMiddleware('audit', [...])`, as Pikku writes tag middleware. */
export interface HookFactory {
  file: string
  /** The name the file exports it under ('default' for export default). */
  exportName: string
}

/** An exported interface codegen builds the typed definers on. */
export interface TypeRef {
  name: string
  file: string
}

/** The project's own types, found by what they extend; a missing one falls back to core's. */
export interface ApplicationTypes {
  config?: TypeRef
  singletonServices?: TypeRef
  services?: TypeRef
  session?: TypeRef
}

/** How a function's data is checked before it runs. */
export type InputValidation =
  /** JSON Schema generated from its TypeScript input type, run by core's schema service. */
  | 'json-schema'
  /** The Standard Schema (zod, valibot, …) given as `input:`, run by the generated definer. */
  | 'standard-schema'
  /** The input type accepts anything (unknown, any) or there is none. */
  | 'none'

export interface PikkuFunctionInfo {
  /** The function's id in core's meta: its variable name, the file name for a default export, or derived from the queue for an inline function. */
  id: string
  file: string
  /** The name the file exports it under ('default' for export default); undefined when not exported. */
  exportName: string | undefined
  /** false only for pikkuFunc, which refuses to run without a session. */
  sessionless: boolean
  validation: InputValidation
  /** Registered with core as `<Id>Input` when validation is 'json-schema'. */
  inputSchema: JsonSchema | undefined
  /** Registered as `<Id>Output` when output is 'schema'. */
  outputSchema: JsonSchema | undefined
  /** 'schema': the output has a JSON Schema; 'other': it has a type with no JSON form (typed through the function itself). */
  output: 'schema' | 'void' | 'unknown' | 'other'
  /** true when the input type is void or absent: the producer sends no data. */
  noInput: boolean
  /** From the config's tags: its tag middleware (addMiddleware) applies to it. */
  tags: string[]
  /** `workflowQueued: true`: as a workflow step it runs as a job of its own (queue wf-step-<id>), not inside the orchestration. */
  workflowQueued: boolean
  /** `expose: true`: callable through `wire.rpc.exposed(id, data)` (core refuses the others there). */
  expose: boolean
}

export interface QueueWorkerInfo {
  /** The BullMQ queue name. */
  name: string
  functionId: string
  /** The file that calls wireQueueWorker; the bootstrap imports it. */
  file: string
  /** From the wiring's tags: its tag middleware (addMiddleware) applies to the queue's jobs. */
  tags: string[]
}

export interface SchedulerInfo {
  /** The scheduled task's name. */
  name: string
  /** A cron pattern (checked with the parser BullMQ uses), or "every <interval>" for an interval task. */
  schedule: string
  functionId: string
  /** The file that calls wireScheduler; the bootstrap imports it. */
  file: string
  tags: string[]
}

/** A durable workflow: a sessionless function whose id is the workflow's name. */
export interface WorkflowInfo {
  /** The workflow's name, which is also its function id: the exported variable's name. */
  name: string
  file: string
  /** The name the file exports it under. */
  exportName: string
  /** 'dsl' for pikkuWorkflowFunc, 'complex' for pikkuWorkflowComplexFunc, as core's meta names them. */
  source: 'dsl' | 'complex'
  /** Changes whenever the workflow's func changes: core compares it with the one a run started on. */
  graphHash: string
  /** Every step name in source order, when all are known at codegen time; undefined otherwise. */
  plannedSteps: Array<{ stepName: string }> | undefined
  /** The workflow.do and workflow.sleep calls in its func, in source order. */
  steps: WorkflowStepInfo[]
}

export interface WorkflowStepInfo {
  /** 'rpc': workflow.do(step, 'functionOrWorkflow', data); 'inline': workflow.do(step, async () => …); 'sleep': workflow.sleep(step, duration). */
  kind: 'rpc' | 'inline' | 'sleep'
  /** The step name, when it is a literal. */
  stepName: string | undefined
  /** The function or workflow an 'rpc' step runs. */
  rpcName: string | undefined
  /** Where the call is in the workflow's file (1-based). */
  location: { line: number; column: number }
}
