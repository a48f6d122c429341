import { join } from 'node:path'
import { GENERATED_HEADER, importPath } from './import-path.js'

const FUNCTION_DEFINERS = ['pikkuFunc', 'pikkuSessionlessFunc', 'pikkuVoidFunc']
const FUNCTION_TYPES = ['FunctionInput', 'FunctionOutput', 'PikkuFunction', 'PikkuFunctionConfig', 'PikkuFunctionSessionless']
const MIDDLEWARE = ['addGlobalMiddleware', 'addMiddleware', 'addTagMiddleware', 'pikkuMiddleware', 'pikkuMiddlewareFactory']
const PERMISSIONS = ['addGlobalPermission', 'addPermission', 'addTagPermission', 'pikkuAuth', 'pikkuPermission', 'pikkuPermissionFactory']
const PERMISSION_TYPES = ['PermissionGroup', 'PikkuPermission']
const APPLICATION_TYPES = ['Config', 'Services', 'SingletonServices', 'UserSession']
const WORKFLOW_TYPES = [
  'PikkuWorkflowFunction',
  'RPCMap',
  'RPCName',
  'TypedRPC',
  'TypedStartWorkflow',
  'TypedWorkflow',
  'WorkflowFunctionWire',
  'WorkflowMap',
  'WorkflowName',
  'WorkflowStepOptions',
]

/**
 * The subpaths code written in Pikku's style imports (`#pikku/function`,
 * `#pikku/queue`, …), each a folder whose index.ts re-exports its part of
 * pikku-types.gen.ts. package.json `imports` and tsconfig `paths` map
 * `#pikku/*` onto the output folder. `#pikku/function` also carries the
 * middleware and permission definers, as Pikku's docs import them from there.
 * `#pikku/workflow` also has the typed workflow client.
 */
export const LEAVES: Readonly<Record<string, { values: string[]; types: string[]; from?: 'queue' | 'workflow' | 'core-errors' }>> = {
  function: { values: [...FUNCTION_DEFINERS, ...MIDDLEWARE, ...PERMISSIONS], types: [...FUNCTION_TYPES, 'PikkuMiddleware', ...PERMISSION_TYPES] },
  middleware: { values: MIDDLEWARE, types: ['PikkuMiddleware'] },
  auth: { values: PERMISSIONS, types: PERMISSION_TYPES },
  permissions: { values: PERMISSIONS, types: PERMISSION_TYPES },
  setup: { values: ['pikkuConfig', 'pikkuServices', 'pikkuWireServices'], types: [...APPLICATION_TYPES, 'ProvidedServices'] },
  queue: { values: ['wireQueueWorker'], types: ['QueueWorkerWiring'], from: 'queue' },
  scheduler: { values: ['wireScheduler'], types: ['ScheduledTaskRetries', 'ScheduledTaskTiming'] },
  workflow: { values: ['pikkuWorkflowFunc', 'pikkuWorkflowComplexFunc'], types: WORKFLOW_TYPES, from: 'workflow' },
  error: { values: [], types: [], from: 'core-errors' },
}

/**
 * Files inside a leaf with the leaf's own exports, under the name Pikku generates, so code written
 * for Pikku (`import { pikkuWorkflowFunc } from '#pikku/workflow/pikku-workflow-types.gen.js'`) runs.
 */
const LEAF_ALIASES: Readonly<Record<string, string>> = { 'workflow/pikku-workflow-types.gen.ts': 'workflow' }

/** Each leaf's index.ts and each alias (absolute path → content). */
export function renderLeafIndexes(outDir: string, files: { types: string; queue: string; workflow: string }): Map<string, string> {
  const rendered = new Map<string, string>()
  const leafFile = (leaf: string, file: string): string => {
    const { values, types, from } = LEAVES[leaf]!
    const lines: string[] = []
    if (values.length > 0) lines.push(`export { ${values.join(', ')} } from '${importPath(file, files.types)}'`)
    if (types.length > 0) lines.push(`export type { ${types.join(', ')} } from '${importPath(file, files.types)}'`)
    if (from === 'queue') lines.push(`export { PikkuQueue } from '${importPath(file, files.queue)}'`)
    if (from === 'workflow') lines.push(`export { PikkuWorkflows, type WorkflowRunner } from '${importPath(file, files.workflow)}'`)
    // Pikku's `#pikku/error`: the error classes a function throws (NotFoundError, ForbiddenError, …).
    if (from === 'core-errors') lines.push(`export * from '@pikku/core/errors'`)
    return `${GENERATED_HEADER}${lines.join('\n')}\n`
  }
  for (const leaf of Object.keys(LEAVES)) {
    const file = join(outDir, leaf, 'index.ts')
    rendered.set(file, leafFile(leaf, file))
  }
  for (const [alias, leaf] of Object.entries(LEAF_ALIASES)) {
    const file = join(outDir, alias)
    rendered.set(file, leafFile(leaf, file))
  }
  return rendered
}

/**
 * The `#pikku/<leaf>` specifiers codegen writes a module for, `#pikku/<file>.js` for each
 * generated file at the top of the output folder, and the leaves' aliases.
 */
export function generatedSpecifiers(topLevelFiles: readonly string[]): string[] {
  const asSpecifier = (file: string) => `#pikku/${file.replace(/\.ts$/, '.js')}`
  return [...Object.keys(LEAVES).map((leaf) => `#pikku/${leaf}`), ...topLevelFiles.map(asSpecifier), ...Object.keys(LEAF_ALIASES).map(asSpecifier)]
}
