import { ForbiddenError } from '@pikku/core/errors'
import { pikkuState } from '@pikku/core/ecosystem'

type Permission = (services: any, data: unknown, wire: any) => Promise<boolean> | boolean
type PermissionGroup = Record<string, Permission | Permission[]>

/**
 * The permission gate core's runner applies before a function (core does not export its
 * `runPermissions`), applied the same way: every global permission must pass, read at each call
 * as core does; then the function's own, where one group passing is enough and a group given as
 * an array passes when all of its permissions do. A refusal is core's ForbiddenError.
 */
export class FunctionPermissions {
  /** The function's own groups, worked out once; undefined when it has none. */
  private readonly groups: Array<Permission | Permission[]> | undefined

  constructor(funcPermissions: PermissionGroup | Permission[] | undefined) {
    const group = Array.isArray(funcPermissions) ? { permissions: funcPermissions } : funcPermissions
    this.groups = group && Object.keys(group).length > 0 ? Object.values(group) : undefined
  }

  /** Whether there is anything to check: global permissions (read now, as core does) or the function's own. */
  get apply(): boolean {
    return this.groups !== undefined || ((pikkuState(null, 'permissions', 'global') as unknown[] | undefined)?.length ?? 0) > 0
  }

  async check(services: { logger: { debug(message: string): void } }, data: unknown, wire: unknown): Promise<void> {
    const globals = (pikkuState(null, 'permissions', 'global') as Array<Permission | PermissionGroup> | undefined) ?? []
    for (const entry of globals) {
      const groups = Object.values(typeof entry === 'function' ? { permission: entry } : entry)
      if (groups.length > 0 && !(await anyGroupPasses(groups, services, data, wire))) {
        services.logger.debug('Permission denied - global permission')
        throw new ForbiddenError('Permission denied')
      }
    }
    if (this.groups && !(await anyGroupPasses(this.groups, services, data, wire))) {
      services.logger.debug('Permission denied - function permission')
      throw new ForbiddenError('Permission denied')
    }
  }
}

async function anyGroupPasses(groups: Array<Permission | Permission[]>, services: unknown, data: unknown, wire: unknown): Promise<boolean> {
  for (const group of groups) {
    if (Array.isArray(group)) {
      const results = await Promise.all(group.map((permission) => permission(services, data, wire)))
      if (results.every(Boolean)) return true
    } else if (await group(services, data, wire)) {
      return true
    }
  }
  return false
}
