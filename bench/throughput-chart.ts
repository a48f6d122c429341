// An SVG line chart of median throughput against concurrency, one panel per workload (single
// process), raw BullMQ against pikku. Plain SVG text: no browser or chart library needed.
import { summarize } from './stats.js'
import type { ThroughputRow } from './out-of-box-throughput.js'

const PANEL = { width: 380, height: 260, left: 60, right: 20, top: 40, bottom: 45 }
const SERIES = [
  { side: 'bullmq', label: 'raw BullMQ', colour: '#6b7280' },
  { side: 'pikku', label: 'pikku-bullmq (generated project)', colour: '#2563eb' },
] as const

export function renderThroughputChart(rows: readonly ThroughputRow[]): string {
  const single = rows.filter((row) => row.processes === 1)
  const workloads = [...new Set(single.map((row) => row.workload))]
  const panels = workloads.map((workload, index) => renderPanel(workload, single.filter((row) => row.workload === workload), index * PANEL.width))
  const width = PANEL.width * workloads.length
  const legend = SERIES.map(
    ({ label, colour }, index) =>
      `<rect x="${PANEL.left + index * 200}" y="${PANEL.height + 12}" width="12" height="12" fill="${colour}"/>` +
      `<text x="${PANEL.left + index * 200 + 18}" y="${PANEL.height + 22}">${label}</text>`,
  )
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL.height + 32}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
${panels.join('\n')}
${legend.join('\n')}
</svg>
`
}

function renderPanel(workload: string, rows: readonly ThroughputRow[], offsetX: number): string {
  const plotWidth = PANEL.width - PANEL.left - PANEL.right
  const plotHeight = PANEL.height - PANEL.top - PANEL.bottom
  const maxY = niceCeiling(Math.max(...rows.flatMap((row) => [...row.bullmq, ...row.pikku])))
  const x = (index: number) => offsetX + PANEL.left + (rows.length === 1 ? plotWidth / 2 : (index * plotWidth) / (rows.length - 1))
  const y = (value: number) => PANEL.top + plotHeight - (value / maxY) * plotHeight
  const parts = [`<text x="${offsetX + PANEL.width / 2}" y="20" text-anchor="middle" font-weight="bold">${workload}: jobs/s by concurrency (1 process)</text>`]
  for (let tick = 0; tick <= 4; tick++) {
    const value = (maxY * tick) / 4
    parts.push(
      `<line x1="${offsetX + PANEL.left}" x2="${offsetX + PANEL.width - PANEL.right}" y1="${y(value)}" y2="${y(value)}" stroke="#e5e7eb"/>`,
      `<text x="${offsetX + PANEL.left - 6}" y="${y(value) + 4}" text-anchor="end">${Math.round(value)}</text>`,
    )
  }
  rows.forEach((row, index) => parts.push(`<text x="${x(index)}" y="${PANEL.top + plotHeight + 18}" text-anchor="middle">${row.concurrency}</text>`))
  parts.push(`<text x="${offsetX + PANEL.left + plotWidth / 2}" y="${PANEL.top + plotHeight + 34}" text-anchor="middle">concurrency</text>`)
  for (const { side, colour } of SERIES) {
    const points = rows.map((row, index) => `${x(index).toFixed(1)},${y(summarize(row[side]).median).toFixed(1)}`)
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.join(' ')}"/>`)
    for (const point of points) parts.push(`<circle cx="${point.split(',')[0]}" cy="${point.split(',')[1]}" r="3" fill="${colour}"/>`)
  }
  return parts.join('\n')
}

/** A round number at or above the value, so the axis labels read well. */
function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(value, 1)))
  return Math.ceil(value / magnitude) * magnitude
}
