/**
 * Orders strings by code point, the same on every machine: generated files
 * must not change with the locale (localeCompare's order does).
 */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
