import type { CorePikkuMiddleware } from '@pikku/core'
import { pikkuState } from '@pikku/core/ecosystem'

type Middleware = CorePikkuMiddleware<any, any>
type MiddlewareMeta = { type: string; tag?: string; name?: string; route?: string }

const PRIORITY: Record<string, number> = { highest: 0, high: 1, medium: 2, low: 3, lowest: 4 }

/**
 * The middleware chain core's runner builds for a queue's function (core does not export its
 * `combineMiddleware`), built the same way: global middleware, then the wiring's inherited
 * (http route groups, tags, named wire middleware), the wiring's own, the function's tags and the
 * function's own; ordered by priority (stable), each middleware once. Core builds it at a queue's
 * first job and keeps it; so does the lean path.
 */
export function queueMiddleware({
  wireInherited,
  wire,
  funcInherited,
  func,
}: {
  wireInherited?: readonly MiddlewareMeta[]
  wire?: readonly Middleware[]
  funcInherited?: readonly MiddlewareMeta[]
  func?: readonly Middleware[]
}): readonly Middleware[] {
  const tagGroups = pikkuState(null, 'middleware', 'tagGroup') as Record<string, Middleware[]>
  const resolved: Middleware[] = [...((pikkuState(null, 'middleware', 'global') as Middleware[] | undefined) ?? [])]
  for (const meta of wireInherited ?? []) {
    if (meta.type === 'http') {
      const group = (pikkuState(null, 'middleware', 'httpGroup') as Record<string, Middleware[]>)[meta.route!]
      if (group) resolved.push(...group)
    } else if (meta.type === 'tag') {
      for (const group of tagGroupsOf(tagGroups, meta.tag!)) resolved.push(...group)
    } else if (meta.type === 'wire') {
      const named = (pikkuState(null, 'misc', 'middleware') as Record<string, Middleware[] | undefined>)[meta.name!]?.[0]
      if (named) resolved.push(named)
    }
  }
  resolved.push(...(wire ?? []))
  for (const meta of funcInherited ?? []) {
    if (meta.type === 'tag') for (const group of tagGroupsOf(tagGroups, meta.tag!)) resolved.push(...group)
  }
  resolved.push(...(func ?? []))
  resolved.sort((a, b) => priorityOf(a) - priorityOf(b))
  return Object.freeze([...new Set(resolved)])
}

/** A tag's own group, then those of its parents (`billing:invoices` → `billing`). */
function tagGroupsOf(tagGroups: Record<string, Middleware[]>, tag: string): Middleware[][] {
  const groups: Middleware[][] = []
  for (let current: string | undefined = tag; current !== undefined; ) {
    const group = tagGroups[current]
    if (group) groups.push(group)
    const colon = current.lastIndexOf(':')
    current = colon === -1 ? undefined : current.slice(0, colon)
  }
  return groups
}

function priorityOf(middleware: Middleware): number {
  return PRIORITY[(middleware as { __priority?: string }).__priority ?? 'medium'] ?? PRIORITY.medium!
}
