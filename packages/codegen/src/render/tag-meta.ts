/**
 * Meta entries for tags: core applies a tag's middleware (addMiddleware) only
 * through `{ type: 'tag' }` entries in the function's or the wiring's meta.
 */
export function tagMeta(tags: readonly string[]): { tags?: string[]; middleware?: Array<{ type: 'tag'; tag: string }> } {
  if (tags.length === 0) return {}
  return { tags: [...tags], middleware: tags.map((tag) => ({ type: 'tag', tag })) }
}
