/**
 * What codegen's own type checker sees in place of pikku-types.gen.ts: the
 * definers' names and generic shapes, with no import of @pikku/core. Codegen
 * only needs to know which call is a definer and the In / Out each function
 * ends up with; checking the real definers would mean loading core's types
 * and inferring through them for every function, several times slower.
 * Every name codegen looks for must be declared here (see FUNCTION_DEFINERS,
 * find-wirings.ts and find-hooks.ts), and the two types find-workflows.ts
 * recognises a workflow's steps by (TypedWorkflow, WorkflowFunctionWire); the
 * other names the leaves re-export (render-leaf-indexes.ts) need not be.
 */
export function renderDefinerDeclarations(): string {
  return `type Func<In, Out> = (services: any, data: In, wire: any) => Promise<Out>
interface Config<In, Out> {
  func: Func<In, Out>
  [option: string]: unknown
}
export interface PikkuFunctionConfig<In, Out> {
  readonly __in?: In
  readonly __out?: Out
}
export declare function pikkuSessionlessFunc<In, Out = unknown>(func: Func<In, Out> | Config<In, Out>): PikkuFunctionConfig<In, Out>
export declare function pikkuFunc<In, Out = unknown>(func: Func<In, Out> | Config<In, Out>): PikkuFunctionConfig<In, Out>
export declare function pikkuVoidFunc(func: Func<void, void> | Config<void, void>): PikkuFunctionConfig<void, void>
export interface TypedWorkflow {
  name: string
  runId: string
  getRun(): Promise<any>
  do(stepName: string, rpcNameOrFunc: unknown, dataOrOptions?: unknown, options?: unknown): Promise<any>
  sleep(stepName: string, duration: string | number): Promise<void>
}
export interface WorkflowFunctionWire {
  workflow: TypedWorkflow
  [wire: string]: any
}
type WorkflowFunc<In, Out> = (services: any, data: In, wire: WorkflowFunctionWire) => Promise<Out>
interface WorkflowConfig<In, Out> {
  func: WorkflowFunc<In, Out>
  [option: string]: unknown
}
export declare function pikkuWorkflowFunc<In, Out = unknown>(func: WorkflowFunc<In, Out> | WorkflowConfig<In, Out>): PikkuFunctionConfig<In, Out>
export declare function pikkuWorkflowComplexFunc<In, Out = unknown>(func: WorkflowFunc<In, Out> | WorkflowConfig<In, Out>): PikkuFunctionConfig<In, Out>
export declare function wireQueueWorker(wiring: { name: string; func: PikkuFunctionConfig<any, any>; [option: string]: unknown }): void
export declare function wireScheduler(wiring: { name: string; schedule?: string; func: PikkuFunctionConfig<any, any>; [option: string]: unknown }): void
export declare function addGlobalMiddleware(middleware: unknown[]): unknown[]
export declare function addMiddleware(tag: string, middleware: unknown[]): unknown[]
export declare function addTagMiddleware(tag: string, middleware: unknown[]): unknown[]
export declare function addGlobalPermission(permissions: unknown): unknown
export declare function addPermission(tag: string, permissions: unknown): unknown
export declare function addTagPermission(tag: string, permissions: unknown): unknown
export declare function pikkuWireServices(factory: unknown): void
`
}
