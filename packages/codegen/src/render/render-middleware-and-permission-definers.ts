/**
 * pikkuMiddleware, pikkuPermission, their factories and the add* hooks that
 * register them globally or by tag, typed with the project's services.
 * A section of pikku-types.gen.ts; the names it uses are imported and
 * declared by renderFunctionTypes.
 */
export function renderMiddlewareAndPermissionDefiners(): string {
  return `/** What pikkuAuth checks: the session, with the project's services. */
type PikkuAuth = (services: WiredServices, session: UserSession) => Promise<boolean> | boolean

/** A permission: resolves true to let the function run. Pass a function, or { func, name, description }. */
export const pikkuPermission = <In = any>(
  permission: PikkuPermission<In> | { func: PikkuPermission<In>; name?: string; description?: string },
): PikkuPermission<In> => (typeof permission === 'function' ? permission : permission.func)

/** A permission that checks the user session: pikkuAuth(async (services, session) => session.role === 'admin'), or pikkuAuth({ name, description, func }). Queue jobs have no session, so it denies them unless a signed user id came with the job. */
export const pikkuAuth = (
  auth: PikkuAuth | { func: PikkuAuth; name?: string; description?: string },
): PikkuPermission => corePikkuAuth<WiredServices, UserSession>(auth) as PikkuPermission

/** A permission built from options, e.g. pikkuPermissionFactory((role: string) => pikkuPermission(...)). */
export const pikkuPermissionFactory = <Options>(factory: (options: Options) => PikkuPermission): ((options: Options) => PikkuPermission) => factory

/** A middleware built from options, e.g. pikkuMiddlewareFactory((label: string) => pikkuMiddleware(...)). */
export const pikkuMiddlewareFactory = <Options>(factory: (options: Options) => PikkuMiddleware): ((options: Options) => PikkuMiddleware) => factory

/** Middleware around every function. Codegen loads the file that calls this before any wiring. */
export const addGlobalMiddleware = (middleware: PikkuMiddleware[]): PikkuMiddleware[] => {
  // Core's parameter is typed with core's services; these are the project's, a subtype.
  coreAddGlobalMiddleware(middleware as CorePikkuMiddlewareGroup)
  return middleware
}

/**
 * Middleware around every function and wiring tagged \`tag\` (tags: ['tag']); returns the group, so it
 * can be the body of an exported factory (\`export const auditTag = () => addTagMiddleware('audit', [...])\`),
 * which codegen calls from the bootstrap. A top-level call works too: codegen loads its file before any wiring.
 */
export const addTagMiddleware = (tag: string, middleware: PikkuMiddleware[]): PikkuMiddleware[] => {
  coreAddMiddleware(tag, middleware as CorePikkuMiddlewareGroup)
  return middleware
}

/** The name core's ecosystem entry and earlier versions of this project use for addTagMiddleware. */
export const addMiddleware = addTagMiddleware

/** Permissions every function must pass, in addition to its own. Codegen loads the file that calls this before any wiring. */
export const addGlobalPermission = (permissions: PermissionGroup | PikkuPermission[]): PermissionGroup | PikkuPermission[] => {
  coreAddGlobalPermission(permissions as CorePermissionGroup)
  return permissions
}

/** A middleware: a function, or { func, priority, name, description } (priority 'highest' … 'lowest' runs it earlier or later). */
export const pikkuMiddleware = (middleware: PikkuMiddleware | CorePikkuMiddlewareConfig<SingletonServices, UserSession>): PikkuMiddleware =>
  corePikkuMiddleware<SingletonServices, UserSession>(middleware)
`
}
