/** What codegen learned from the project's sources; every path is absolute. */
export interface ProjectModel {
  types: ApplicationTypes
  functions: PikkuFunctionInfo[]
  queueWorkers: QueueWorkerInfo[]
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

export interface PikkuFunctionInfo {
  /** The exported name; also the function's id in core's meta. */
  id: string
  file: string
  /** false only for pikkuFunc, which refuses to run without a session. */
  sessionless: boolean
}

export interface QueueWorkerInfo {
  /** The BullMQ queue name. */
  name: string
  functionId: string
  /** The file that calls wireQueueWorker; the bootstrap imports it. */
  file: string
}
