/**
 * At most one line per key per window; the next line that gets through says how many were held
 * back. For lines a flood of bad jobs could otherwise repeat thousands of times a second.
 */
export class RateLimitedLines {
  private readonly last = new Map<string, { at: number; suppressed: number }>()

  constructor(private readonly windowMs: number) {}

  /** The line to write now (with the count held back since the last one), or undefined to hold it back. */
  pass(key: string, line: string, now = Date.now()): string | undefined {
    const seen = this.last.get(key)
    if (seen && now - seen.at < this.windowMs) {
      seen.suppressed++
      return undefined
    }
    this.last.set(key, { at: now, suppressed: 0 })
    return seen?.suppressed ? `${line} (${seen.suppressed} more like this in the last ${Math.round(this.windowMs / 1000)} s)` : line
  }
}
