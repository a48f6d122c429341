import { setTimeout as sleep } from 'node:timers/promises'
import type { QueueInspector } from './queue-inspector.js'
import { renderStatus, type Colors } from './terminal-output.js'

export interface WatchOptions {
  intervalMs: number
  /** One JSON line per refresh instead of a table. */
  json: boolean
  colors: Colors
  out: NodeJS.WriteStream
  /** Ends the loop (Ctrl-C). */
  signal: AbortSignal
}

/**
 * Prints the status table every `intervalMs` until `signal` aborts. On a
 * terminal each refresh replaces the last; piped, refreshes follow each other.
 */
export async function watchStatus(inspector: QueueInspector, { intervalMs, json, colors, out, signal }: WatchOptions): Promise<void> {
  while (!signal.aborted) {
    const rows = await inspector.status()
    if (signal.aborted) break
    const at = new Date()
    if (json) {
      out.write(`${JSON.stringify({ at: at.toISOString(), queues: rows })}\n`)
    } else {
      // Clear the screen and go home, so the table stays in place.
      if (out.isTTY) out.write('\x1b[2J\x1b[H')
      const title = colors.dim(`Queues under prefix '${inspector.prefix}' at ${at.toLocaleTimeString()}, every ${intervalMs / 1000} s (Ctrl-C to stop)`)
      out.write(`${title}\n${renderStatus(rows, colors)}\n\n`)
    }
    await sleep(intervalMs, undefined, { signal }).catch(() => {
      // Aborted: the loop condition ends it.
    })
  }
}
