import type { RedisOptions } from 'ioredis'

/** Used when neither `redisUrl` nor `REDIS_URL` is set. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'

export interface RedisNode {
  host: string
  port: number
}

/**
 * Where Redis is and how to log in, read from one URL. `options` holds what every data node gets
 * (user, password, db, TLS; host and port too for a single node).
 */
export type RedisTarget =
  | { topology: 'single'; options: RedisOptions }
  | { topology: 'sentinel'; sentinels: RedisNode[]; masterName: string; options: RedisOptions }
  | { topology: 'cluster'; nodes: RedisNode[]; options: RedisOptions }

export type RedisTopology = RedisTarget['topology']

const SCHEMES: Record<string, { topology: RedisTopology; tls: boolean }> = {
  'redis:': { topology: 'single', tls: false },
  'rediss:': { topology: 'single', tls: true },
  'redis+sentinel:': { topology: 'sentinel', tls: false },
  'rediss+sentinel:': { topology: 'sentinel', tls: true },
  'redis+cluster:': { topology: 'cluster', tls: false },
  'rediss+cluster:': { topology: 'cluster', tls: true },
}

const DEFAULT_PORTS: Record<RedisTopology, number> = { single: 6379, sentinel: 26379, cluster: 6379 }

const FORMS =
  'redis://[user:password@]host[:port][/db] (rediss:// for TLS), ' +
  'redis+sentinel://[user:password@]host:26379,host:26379/masterName[/db] or ' +
  'redis+cluster://[user:password@]host:6379,host:6379 (rediss+… for TLS)'

/**
 * Parses a Redis URL; the scheme picks the topology:
 * - `redis://user:pass@host:6380/2` one node (`rediss://` with TLS);
 * - `redis+sentinel://user:pass@h1:26379,h2:26379/mymaster/2` the master Sentinel names `mymaster`;
 *   user and password are the data nodes' (sentinels with a password of their own read
 *   `REDIS_SENTINEL_PASSWORD`);
 * - `redis+cluster://user:pass@h1:7000,h2:7001` a Redis Cluster found from those nodes (database 0 only).
 *
 * User and password are percent-decoded; ports default to 6379 (26379 for sentinels). Anything
 * else throws, without the password in the message, so a typo in REDIS_URL fails at start-up rather
 * than as a connection to the wrong place.
 */
export function parseRedisUrl(redisUrl: string): RedisTarget {
  const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(redisUrl)?.[1]?.toLowerCase()
  const kind = scheme ? SCHEMES[scheme] : undefined
  if (scheme && !kind) throw new Error(`Unsupported Redis URL scheme '${scheme}' in '${redactPassword(redisUrl)}': use ${FORMS}`)
  if (!kind) throw new Error(`Invalid Redis URL '${redactPassword(redisUrl)}': expected ${FORMS}`)
  const { userInfo, hosts, tail } = splitAuthority(redisUrl, scheme!)
  if (tail.includes('#')) throw new Error(`Redis URL '${redactPassword(redisUrl)}' has a #fragment, which is not read: percent-encode a '#' in the password as %23`)
  let url: URL
  try {
    // Only the path and query are left to WHATWG URL: it reads one host, and would take a raw '/' in a password for the path.
    url = new URL(`redis://placeholder${tail}`)
  } catch {
    throw new Error(`Invalid Redis URL '${redactPassword(redisUrl)}': expected ${FORMS}`)
  }
  if (url.search) {
    // ioredis would read options (a password among them) from the query; silently ignoring them connects wrongly.
    throw new Error(
      `Redis URL '${redactPassword(redisUrl)}' has query parameters, which are not read: put user and password in the URL ` +
        `(redis://user:password@host:6379/0, percent-encoded) and other ioredis options in the factory's connection option`,
    )
  }
  if (hosts.length > 1 && hosts.some((host) => host === '')) {
    throw new Error(`Redis URL '${redactPassword(redisUrl)}' has an empty entry in its host list: write host:port,host:port`)
  }
  const nodes = hosts.map((host) => parseNode(host, DEFAULT_PORTS[kind.topology], redisUrl))
  const options: RedisOptions = { ...parseUserInfo(userInfo, redisUrl) }
  // An empty object turns TLS on with Node's defaults (verify the certificate against the host name).
  if (kind.tls) options.tls = {}
  const path = url.pathname.replace(/^\//, '').replace(/\/$/, '')
  const segments = path ? path.split('/') : []

  if (kind.topology === 'sentinel') {
    const [masterName, db, ...extra] = segments
    if (!masterName || extra.length > 0) {
      throw new Error(`Redis URL '${redactPassword(redisUrl)}' names no master: write redis+sentinel://host:26379,host:26379/masterName[/db] with the name Sentinel monitors`)
    }
    if (db !== undefined) options.db = parseDb(db, redisUrl)
    return { topology: 'sentinel', sentinels: nodes, masterName: decodeURIComponent(masterName), options }
  }
  if (kind.topology === 'cluster') {
    if (segments.length > 1 || (segments[0] !== undefined && segments[0] !== '0')) {
      throw new Error(`Redis URL '${redactPassword(redisUrl)}' selects database '${path}', but a Redis Cluster has database 0 only: remove '/${path}'`)
    }
    return { topology: 'cluster', nodes, options }
  }
  if (nodes.length > 1) {
    throw new Error(`Redis URL '${redactPassword(redisUrl)}' lists ${nodes.length} hosts: use redis+sentinel:// for Sentinel or redis+cluster:// for a Redis Cluster`)
  }
  if (segments.length > 1) throw new Error(`Invalid Redis database '${path}' in '${redactPassword(redisUrl)}': expected a number such as /0`)
  if (segments[0] !== undefined) options.db = parseDb(segments[0], redisUrl)
  return { topology: 'single', options: { ...nodes[0]!, ...options } }
}

/**
 * Splits what follows the scheme into user info (up to the last `@` before any `?`, so a raw `@`,
 * `/` or `#` in a password stays in it), the comma-separated host list, and the path with any query.
 */
function splitAuthority(redisUrl: string, scheme: string): { userInfo: string; hosts: string[]; tail: string } {
  const afterScheme = redisUrl.slice(scheme.length + 2)
  // An '@' in a query (which is refused) is not the end of the user info.
  const query = afterScheme.indexOf('?')
  const at = afterScheme.lastIndexOf('@', query === -1 ? undefined : query)
  const userInfo = at === -1 ? '' : afterScheme.slice(0, at)
  const authorityAndTail = afterScheme.slice(at + 1)
  const tailStart = authorityAndTail.search(/[/?#]/)
  const authority = tailStart === -1 ? authorityAndTail : authorityAndTail.slice(0, tailStart)
  const tail = tailStart === -1 ? '' : authorityAndTail.slice(tailStart)
  return { userInfo, hosts: authority.split(','), tail }
}

/** `user:password` (either may be empty), each percent-decoded. */
function parseUserInfo(userInfo: string, redisUrl: string): Pick<RedisOptions, 'username' | 'password'> {
  if (!userInfo) return {}
  const colon = userInfo.indexOf(':')
  const [user, password] = colon === -1 ? [userInfo, ''] : [userInfo.slice(0, colon), userInfo.slice(colon + 1)]
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text)
    } catch {
      throw new Error(`Invalid Redis URL '${redactPassword(redisUrl)}': the user or password has a '%' that starts no escape; write a literal '%' as %25`)
    }
  }
  const result: Pick<RedisOptions, 'username' | 'password'> = {}
  if (user) result.username = decode(user)
  if (password) result.password = decode(password)
  return result
}

function parseNode(text: string, defaultPort: number, redisUrl: string): RedisNode {
  // IPv6 hosts come in brackets ([::1]:7000); ioredis wants them bare.
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*))(?::(\d*))?$/.exec(text)
  const host = match?.[1] ?? match?.[2]
  if (!match || host === undefined) throw new Error(`Invalid host '${text}' in Redis URL '${redactPassword(redisUrl)}': expected host or host:port`)
  const port = match[3] ? Number(match[3]) : defaultPort
  if (!(port > 0 && port < 65536)) throw new Error(`Invalid port in '${text}' of Redis URL '${redactPassword(redisUrl)}': expected 1–65535`)
  return { host: host || '127.0.0.1', port }
}

function parseDb(text: string, redisUrl: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`Invalid Redis database '${text}' in '${redactPassword(redisUrl)}': expected a number such as /0`)
  return Number(text)
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
