import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis'
import { parseRedisUrl, redactPassword, type RedisTarget, type RedisTopology } from './redis-url.js'
import { readTlsFiles, tlsVariablesSet } from './tls-files.js'

/** A client of any topology: BullMQ takes both as `connection`. */
export type RedisClient = Redis | Cluster

/**
 * - `producer`: for `Queue`. Fails fast: with the offline queue off, a command issued while Redis is
 *   unreachable rejects at once instead of hanging the caller (an HTTP request, say).
 * - `blocking`: for `Worker` and `QueueEvents`. Commands retry forever (`maxRetriesPerRequest:
 *   null`, which BullMQ requires), so an outage pauses them instead of killing them.
 */
export type ConnectionProfile = 'producer' | 'blocking'

export interface CreateClientOptions {
  /** Give up after one failed connection attempt: start-up checks and terminal commands report instead of retrying. Default: false */
  oneAttempt?: boolean
}

/** How long `closeRedisClient` waits for QUIT's reply before it drops the connection. */
const QUIT_DEADLINE_MS = 1_000

/**
 * Builds every Redis client pikku-bullmq opens (producers, workers, queue events, the scheduler, the
 * monitoring server, `pikku-queues`) from one URL, so `REDIS_URL` alone picks a single node,
 * Sentinel or a Redis Cluster, and every part talks to the same Redis the same way. Each client is
 * new and belongs to the caller, who closes it with {@link closeRedisClient}.
 */
export class RedisClientBuilder {
  readonly target: RedisTarget
  /** The URL with its password hidden, for messages and logs. */
  readonly redactedUrl: string
  private readonly nodeOptions: RedisOptions

  /**
   * @param overrides ioredis options merged over those parsed from the URL (`{ connectionName }`,
   *   `{ tls: { ca } }`, …); on a Cluster they apply to each node.
   */
  constructor(redisUrl: string, overrides: RedisOptions = {}, env: NodeJS.ProcessEnv = process.env) {
    this.target = parseRedisUrl(redisUrl)
    this.redactedUrl = redactPassword(redisUrl)
    const options = { ...this.target.options }
    const tlsFiles = readTlsFiles(env)
    if (tlsFiles && !options.tls) {
      throw new Error(`${tlsVariablesSet(env).join(' and ')} set, but '${this.redactedUrl}' does not use TLS: write rediss:// (or rediss+sentinel://, rediss+cluster://) to connect with TLS`)
    }
    if (tlsFiles) options.tls = { ...tlsFiles }
    const sentinelLogin = ['REDIS_SENTINEL_USERNAME', 'REDIS_SENTINEL_PASSWORD'].filter((name) => env[name])
    if (sentinelLogin.length > 0 && this.target.topology !== 'sentinel') {
      // Read only for Sentinel: set with another URL it would be ignored.
      throw new Error(`${sentinelLogin.join(' and ')} set, but '${this.redactedUrl}' is not a Sentinel URL: write redis+sentinel://host:26379,host:26379/masterName, or unset it`)
    }
    if (env.REDIS_SENTINEL_USERNAME) options.sentinelUsername = env.REDIS_SENTINEL_USERNAME
    if (env.REDIS_SENTINEL_PASSWORD) options.sentinelPassword = env.REDIS_SENTINEL_PASSWORD
    this.nodeOptions = { ...options, ...overrides }
  }

  get topology(): RedisTopology {
    return this.target.topology
  }

  /** Host, port and TLS of a single-node Redis (for probes that open a socket of their own); undefined for Sentinel and Cluster. */
  get singleNode(): RedisOptions | undefined {
    return this.topology === 'single' ? this.nodeOptions : undefined
  }

  /**
   * BullMQ keeps each queue's keys in one hash slot only when the prefix has a hash tag; without one
   * a Cluster answers its scripts with CROSSSLOT. Refused here, at start-up, with the fix.
   */
  assertPrefixFits(prefix: string): void {
    if (this.topology !== 'cluster' || /\{[^}]+\}/.test(prefix)) return
    throw new Error(
      `Prefix '${prefix}' has no hash tag, but ${this.redactedUrl} is a Redis Cluster: BullMQ needs every key of a queue in one slot. ` +
        `Write the prefix in braces, e.g. PIKKU_QUEUE_PREFIX='{${prefix.replace(/[{}]/g, '') || 'myapp'}}'`,
    )
  }

  /** A new client of the given profile, not yet connected (it connects on first use or `connect()`). */
  create(profile: ConnectionProfile, { oneAttempt = false }: CreateClientOptions = {}): RedisClient {
    const target = this.target
    if (target.topology === 'cluster') return new Cluster(target.nodes, this.clusterOptions(profile, oneAttempt))
    const options: RedisOptions = {
      ...this.nodeOptions,
      ...profileOptions(profile),
      // A demoted master (a failover behind a DNS name, or Sentinel's old master) refuses writes with
      // READONLY: reconnecting finds the new one. Blocking clients resend the refused command.
      reconnectOnError: (error) => (error.message.startsWith('READONLY') ? (profile === 'blocking' ? 2 : 1) : false),
      lazyConnect: true,
    }
    if (oneAttempt) Object.assign(options, { retryStrategy: () => null, maxRetriesPerRequest: 0 })
    if (target.topology === 'single') return new Redis(options)
    return new Redis({
      ...options,
      sentinels: target.sentinels,
      name: target.masterName,
      role: 'master',
      // rediss+sentinel: TLS to the data nodes and to the sentinels (which see the sentinel password).
      enableTLSForSentinelMode: Boolean(options.tls),
      ...(options.tls ? { sentinelTLS: options.tls } : {}),
      // Subscribes to the sentinels' +switch-master: without it a client keeps writing to a master
      // that Sentinel has already replaced (about 10 s, measured), and those writes are discarded.
      failoverDetector: true,
      ...(oneAttempt ? { sentinelRetryStrategy: () => null } : {}),
    })
  }

  private clusterOptions(profile: ConnectionProfile, oneAttempt: boolean): ClusterOptions {
    const { enableOfflineQueue, ...nodeProfile } = profileOptions(profile)
    return {
      redisOptions: { ...this.nodeOptions, ...nodeProfile },
      // Failing fast is the Cluster's setting: each node's own offline queue must stay on, because
      // the Cluster connects to a node only when a command first goes there.
      enableOfflineQueue,
      // BullMQ's scripts write: every command goes to the slot's master.
      scaleReads: 'master',
      lazyConnect: true,
      // With TLS, the certificate names the host: connect by name rather than by the address a lookup
      // returns (what AWS ElastiCache and MemoryDB need).
      ...(this.nodeOptions.tls ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) } : {}),
      ...(oneAttempt ? { clusterRetryStrategy: () => null } : {}),
    }
  }
}

function profileOptions(profile: ConnectionProfile): Pick<RedisOptions, 'enableOfflineQueue' | 'maxRetriesPerRequest' | 'disconnectTimeout'> {
  return profile === 'producer'
    ? // A socket that never connected closes only after disconnectTimeout (ioredis: 2 s), which would delay the exit of a script that failed fast.
      { enableOfflineQueue: false, disconnectTimeout: 200 }
    : { maxRetriesPerRequest: null }
}

/**
 * Closes a client pikku-bullmq built: QUIT when connected, so replies in flight arrive, but never
 * waiting longer than a second (a Sentinel client's failover subscription can keep QUIT from
 * settling); the connection is dropped either way, so nothing keeps reconnecting after close.
 */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  if (client.status === 'ready' || client.status === 'connect') {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      client.quit().catch(() => undefined),
      new Promise((resolve) => {
        timer = setTimeout(resolve, QUIT_DEADLINE_MS)
      }),
    ])
    clearTimeout(timer)
  }
  client.disconnect()
}

/**
 * Connects a client built here, resolving once it is ready. It waits on the client's events rather
 * than on `connect()`: ioredis' Cluster `connect()` can stay pending for good when its ready check
 * fails after the slot map loaded. Rejects with the client's last error (ECONNREFUSED, auth, TLS)
 * when it gives up, or after `timeoutMs`.
 */
export function connectRedisClient(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve()
  return new Promise<void>((resolve, reject) => {
    let lastError: Error | undefined
    const onError = (error: Error) => {
      lastError = error
    }
    const settle = (error?: Error) => {
      clearTimeout(timer)
      client.off('ready', onReady)
      client.off('error', onError)
      client.off('end', onEnd)
      if (error) reject(error)
      else resolve()
    }
    const onReady = () => settle()
    const onEnd = () => settle(lastError ?? new Error('Connection is closed.'))
    const timer = setTimeout(() => settle(lastError ?? new Error(`no connection within ${timeoutMs} ms`)), timeoutMs)
    client.on('ready', onReady)
    client.on('error', onError)
    client.on('end', onEnd)
    if (client.status === 'wait') client.connect().catch(() => undefined)
  })
}

/** The clients that hold data: every master of a Cluster (a SCAN must visit each), else the client itself. */
export function dataNodes(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client]
}
