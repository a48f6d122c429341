import { connect as connectTcp, type Socket } from 'node:net'
import { connect as connectTls } from 'node:tls'
import type { RedisOptions } from 'ioredis'

/** How long the probe waits for Redis to speak first. */
const PROBE_TIMEOUT_MS = 1_000

/**
 * Why Redis turns new connections away, read from what it says before any command: a server at
 * `maxclients` answers a new connection with `-ERR max number of clients reached` and closes it.
 * ioredis only ever reports the write that then fails (`write EPIPE`, `Connection is closed`), so
 * the reason is read here from a connection of this probe's own. Undefined when Redis accepts the
 * connection (it waits for a command) or cannot be reached at all.
 */
export async function probeConnectionRefusal(options: RedisOptions): Promise<string | undefined> {
  const host = options.host ?? '127.0.0.1'
  const port = options.port ?? 6379
  return new Promise((resolve) => {
    const socket: Socket = options.tls ? connectTls({ host, port, servername: host, ...options.tls }) : connectTcp({ host, port })
    let received = ''
    const done = (result: string | undefined) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(result)
    }
    const timer = setTimeout(() => done(undefined), PROBE_TIMEOUT_MS)
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8')
      if (received.includes('\r\n')) done(received.startsWith('-') ? received.slice(1, received.indexOf('\r\n')) : undefined)
    })
    socket.on('error', () => done(undefined))
    socket.on('close', () => done(received.startsWith('-') ? received.slice(1).trim() : undefined))
  })
}
