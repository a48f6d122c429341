/** Summary of one measurement's rounds: the median, and the spread as min–max. */
export interface Rounds {
  median: number
  min: number
  max: number
}

export function summarize(values: readonly number[]): Rounds {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length / 2
  const median = sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2
  return { median, min: sorted[0]!, max: sorted.at(-1)! }
}

/** "12.3 (11.9–14.0)": the median with the spread of the rounds. */
export function formatRounds({ median, min, max }: Rounds, digits = 0): string {
  return `${median.toFixed(digits)} (${min.toFixed(digits)}–${max.toFixed(digits)})`
}

/** A section of BENCHMARKS.md, and any files it links to (by path from the repository root). */
export interface BenchSection {
  title: string
  markdown: string
  files?: Record<string, string>
}
