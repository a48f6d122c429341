/**
 * Options of a function's config that @pikku/core 0.12.84 declares but that do nothing in a
 * worker project, each with what to write instead: codegen warns about them rather than let
 * them pass unseen. `id` is the function's id (empty for a wiring's inline func). `deploy` and
 * `version` are not here: a worker project runs every function in its server, in one version, as
 * they declare; `title` and `description` only describe.
 */
export const IGNORED_FUNCTION_OPTIONS: Readonly<Record<string, (id: string) => string>> = {
  workflowRetries: () =>
    "@pikku/core 0.12.84 reads it nowhere; give the retries where the step runs: workflow.do('Step', 'myFunction', data, { retries: 3, retryDelay: '1s' })",
  workflowTimeout: () =>
    "@pikku/core 0.12.84 reads it nowhere, so a step is never timed out: bound the work inside the function (e.g. fetch(url, { signal: AbortSignal.timeout(30_000) })), and give retries where the step runs: workflow.do('Step', 'myFunction', data, { retries: 3, retryDelay: '1s' })",
  remote: (id) =>
    `this project has no deployment service to call functions on another server; call it in this process with wire.rpc.invoke('${id || 'myFunction'}', data), or add a job with services.queues.add(...)`,
  mcp: () => 'this project runs no MCP server; the function still runs as a job, a scheduled task or a workflow step',
  approvalRequired: () => 'it gates calls made by AI agents, which this project does not run',
  approvalDescription: () => 'it describes calls made by AI agents, which this project does not run',
  override: (id) => `a function's id here is its const's name${id ? ` ('${id}')` : ''}: rename the const to change it`,
  surfaces: () => 'it applies to Pikku scenarios, not to functions',
  before: () => 'it applies to Pikku scenarios, not to functions: run setup at the start of func',
  after: () => 'it applies to Pikku scenarios, not to functions: run clean-up in a finally block inside func',
  skip: () => 'it applies to Pikku scenarios, not to functions',
}
