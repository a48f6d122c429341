import { join } from 'node:path'
import { GENERATED_HEADER, importPath } from './import-path.js'

const FUNCTION_DEFINERS = ['pikkuFunc', 'pikkuSessionlessFunc', 'pikkuVoidFunc']
const FUNCTION_TYPES = ['FunctionInput', 'FunctionOutput', 'PikkuFunction', 'PikkuFunctionConfig', 'PikkuFunctionSessionless']
const MIDDLEWARE = ['addGlobalMiddleware', 'addMiddleware', 'addTagMiddleware', 'pikkuMiddleware', 'pikkuMiddlewareFactory']
const PERMISSIONS = ['addGlobalPermission', 'addPermission', 'addTagPermission', 'pikkuAuth', 'pikkuPermission', 'pikkuPermissionFactory']
const PERMISSION_TYPES = ['PermissionGroup', 'PikkuPermission']
const APPLICATION_TYPES = ['Config', 'Services', 'SingletonServices', 'UserSession']

/**
 * The subpaths code written in Pikku's style imports (`#pikku/function`,
 * `#pikku/queue`, …), each a folder whose index.ts re-exports its part of
 * pikku-types.gen.ts. package.json `imports` and tsconfig `paths` map
 * `#pikku/*` onto the output folder. `#pikku/function` also carries the
 * middleware and permission definers, as Pikku's docs import them from there.
 */
export const LEAVES: Readonly<Record<string, { values: string[]; types: string[]; from?: 'queue' | 'core-errors' }>> = {
  function: { values: [...FUNCTION_DEFINERS, ...MIDDLEWARE, ...PERMISSIONS], types: [...FUNCTION_TYPES, 'PikkuMiddleware', ...PERMISSION_TYPES] },
  middleware: { values: MIDDLEWARE, types: ['PikkuMiddleware'] },
  auth: { values: PERMISSIONS, types: PERMISSION_TYPES },
  permissions: { values: PERMISSIONS, types: PERMISSION_TYPES },
  setup: { values: ['pikkuConfig', 'pikkuServices', 'pikkuWireServices'], types: [...APPLICATION_TYPES, 'ProvidedServices'] },
  queue: { values: ['wireQueueWorker'], types: ['QueueWorkerWiring'], from: 'queue' },
  scheduler: { values: ['wireScheduler'], types: ['ScheduledTaskRetries', 'ScheduledTaskTiming'] },
  error: { values: [], types: [], from: 'core-errors' },
}

/** Each leaf's index.ts (absolute path → content). */
export function renderLeafIndexes(outDir: string, typesFile: string, queueFile: string): Map<string, string> {
  const files = new Map<string, string>()
  for (const [leaf, { values, types, from }] of Object.entries(LEAVES)) {
    const file = join(outDir, leaf, 'index.ts')
    const lines: string[] = []
    if (values.length > 0) lines.push(`export { ${values.join(', ')} } from '${importPath(file, typesFile)}'`)
    if (types.length > 0) lines.push(`export type { ${types.join(', ')} } from '${importPath(file, typesFile)}'`)
    if (from === 'queue') lines.push(`export { PikkuQueue } from '${importPath(file, queueFile)}'`)
    // Pikku's `#pikku/error`: the error classes a function throws (NotFoundError, ForbiddenError, …).
    if (from === 'core-errors') lines.push(`export * from '@pikku/core/errors'`)
    files.set(file, `${GENERATED_HEADER}${lines.join('\n')}\n`)
  }
  return files
}

/** The `#pikku/<leaf>` specifiers codegen writes a module for, plus `#pikku/<file>.js` for each generated file at the top of the output folder. */
export function generatedSpecifiers(topLevelFiles: readonly string[]): string[] {
  return [...Object.keys(LEAVES).map((leaf) => `#pikku/${leaf}`), ...topLevelFiles.map((file) => `#pikku/${file.replace(/\.ts$/, '.js')}`)]
}
