import { readFileSync } from 'node:fs'
import type { RedisOptions as BullMQRedisOptions } from 'bullmq'
import type { RedisOptions } from 'ioredis'

/** Used when neither `redisUrl` nor `REDIS_URL` is set. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'

/**
 * The two connection profiles every BullMQ object is built from. Both come
 * from one parsed URL, so producers, workers and queue events always talk to
 * the same Redis.
 */
export interface BullConnectionOptions {
  /**
   * For `Queue` (producers). Fails fast: with the offline queue disabled, a
   * command issued while Redis is unreachable rejects at once instead of
   * hanging the caller (an HTTP request, say) until Redis comes back.
   */
  producer: BullMQRedisOptions
  /**
   * For `Worker` and `QueueEvents`. Their blocking commands must retry
   * forever (`maxRetriesPerRequest: null`, which BullMQ requires), so a Redis
   * outage pauses them instead of killing them.
   */
  blocking: BullMQRedisOptions
}

/**
 * Parses `redis://` and `rediss://` URLs into ioredis options:
 * `rediss://user:pass@host:6380/2` gives
 * `{ host, port: 6380, username: 'user', password: 'pass', db: 2, tls: {} }`.
 * User and password are percent-decoded; the port defaults to 6379 and the db
 * to 0. Throws on any other scheme or a non-numeric db, so a typo in
 * REDIS_URL fails at start-up rather than as a connection to the wrong place.
 */
export function parseRedisUrl(redisUrl: string): RedisOptions {
  let url: URL
  try {
    url = new URL(redisUrl)
  } catch {
    throw new Error(`Invalid Redis URL '${redactPassword(redisUrl)}': expected redis://[user:password@]host[:port][/db]`)
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error(`Unsupported Redis URL scheme '${url.protocol}' in '${redactPassword(redisUrl)}': use redis:// or rediss://`)
  }
  const options: RedisOptions = {
    // WHATWG URL keeps IPv6 hosts in brackets; ioredis wants them bare.
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
  }
  if (url.username) options.username = decodeURIComponent(url.username)
  if (url.password) options.password = decodeURIComponent(url.password)
  const dbPath = url.pathname.replace(/^\//, '')
  if (dbPath) {
    if (!/^\d+$/.test(dbPath)) {
      throw new Error(`Invalid Redis database '${dbPath}' in '${redactPassword(redisUrl)}': expected a number such as /0`)
    }
    options.db = Number(dbPath)
  }
  if (url.search) {
    // ioredis would read options (a password among them) from the query; silently ignoring them connects wrongly.
    throw new Error(
      `Redis URL '${redactPassword(redisUrl)}' has query parameters, which are not read: put user and password in the URL ` +
        `(redis://user:password@host:6379/0, percent-encoded) and other ioredis options in the factory's connection option`,
    )
  }
  if (url.protocol === 'rediss:') {
    // An empty object turns TLS on with Node's defaults (verify the certificate against the host name).
    options.tls = {}
  }
  return options
}

/**
 * Builds both connection profiles from one URL plus optional ioredis
 * overrides (merged over the parsed values, e.g. `{ tls: { ca } }` or
 * `{ connectionName }`). A `rediss://` URL reads its CA and client
 * certificate from {@link TLS_FILE_VARIABLES}. The profile-specific settings
 * are applied last because BullMQ needs them to behave correctly.
 */
export function createConnectionOptions(redisUrl: string, overrides: RedisOptions = {}, env: NodeJS.ProcessEnv = process.env): BullConnectionOptions {
  const parsed = parseRedisUrl(redisUrl)
  const tlsFiles = readTlsFiles(env)
  if (tlsFiles && !parsed.tls) {
    throw new Error(`${Object.keys(TLS_FILE_VARIABLES).filter((name) => env[name]).join(' and ')} set, but '${redactPassword(redisUrl)}' does not use TLS: write rediss:// to connect with TLS`)
  }
  if (tlsFiles) parsed.tls = { ...tlsFiles }
  // ioredis also accepts `retryStrategy: null` (never reconnect), which bullmq's narrower type leaves out.
  const base = { ...parsed, ...overrides } as BullMQRedisOptions
  return {
    producer: { ...base, enableOfflineQueue: false },
    blocking: { ...base, maxRetriesPerRequest: null },
  }
}

/**
 * Files a `rediss://` connection reads from the environment: the CA that signed a private Redis's
 * certificate, and a client certificate and key for a Redis that asks for one (`tls-auth-clients`).
 * Node's own trust store is used when no CA is given.
 */
export const TLS_FILE_VARIABLES = {
  REDIS_TLS_CA_FILE: 'ca',
  REDIS_TLS_CERT_FILE: 'cert',
  REDIS_TLS_KEY_FILE: 'key',
} as const

function readTlsFiles(env: NodeJS.ProcessEnv): Partial<Record<'ca' | 'cert' | 'key', Buffer>> | undefined {
  const files: Partial<Record<'ca' | 'cert' | 'key', Buffer>> = {}
  for (const [variable, option] of Object.entries(TLS_FILE_VARIABLES)) {
    const path = env[variable]
    if (!path) continue
    try {
      files[option] = readFileSync(path)
    } catch (error) {
      throw new Error(`${variable}=${path} cannot be read: ${(error as Error).message}`)
    }
  }
  if (Boolean(files.cert) !== Boolean(files.key)) throw new Error('REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE go together: set both (a client certificate and its key), or neither')
  return Object.keys(files).length > 0 ? files : undefined
}

/**
 * Keeps passwords out of error messages and logs, whatever form the URL takes: everything between
 * `//` and the last `@` is user info (a raw `@`, `/` or `#` in a password included), of which only
 * a user name before a `:` is shown; a lone `redis://secret@host` may be a password, so it is
 * hidden whole. A `password=` query parameter is hidden too.
 */
export function redactPassword(redisUrl: string): string {
  const start = redisUrl.indexOf('//')
  const at = redisUrl.lastIndexOf('@')
  let redacted = redisUrl
  if (start !== -1 && at > start) {
    const userInfo = redisUrl.slice(start + 2, at)
    const colon = userInfo.indexOf(':')
    redacted = `${redisUrl.slice(0, start + 2)}${colon === -1 ? '***' : `${userInfo.slice(0, colon)}:***`}${redisUrl.slice(at)}`
  }
  return redacted.replace(/([?&](?:password|pass|pwd)=)[^&]*/gi, '$1***')
}
