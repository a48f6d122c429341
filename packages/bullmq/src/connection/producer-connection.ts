import type { Logger } from '@pikku/core/services'
import { closeRedisClient, type RedisClient } from './redis-client-builder.js'
import { ReplicaConfirmation } from './replica-confirmation.js'

/** Default for how long a producer call waits for Redis before it fails. */
export const DEFAULT_PRODUCER_TIMEOUT_MS = 5_000

export interface ProducerConnectionOptions {
  /** A client of the producer profile (offline queue disabled), not yet connected; closed with this. */
  client: RedisClient
  /** The Redis URL with its password already redacted, for error messages. */
  redactedUrl: string
  /** How long `ready()` waits for a connection, and `write()` for replicas, before it rejects. */
  timeoutMs: number
  /** Replicas that must confirm a write before `write()` resolves (Redis WAIT); 0 confirms nothing. */
  replicaAcks: number
  /** A key under the app's prefix, which locates the Cluster master that takes the writes. */
  slotKey: string
  logger: Logger
}

/**
 * The one Redis connection every producer queue of a process shares (BullMQ
 * queues accept an ioredis instance and leave it open when they close).
 *
 * Producers fail fast: `ready()` rejects after `timeoutMs` when Redis cannot be
 * reached, naming the URL, so an `add()` from an HTTP handler or a script
 * never hangs on an outage. Nothing is sent before the connection is ready,
 * so a rejected call never adds its job later behind the caller's back.
 */
export class ProducerConnection {
  readonly client: RedisClient
  private lastError: Error | undefined
  private outageReported = false
  private closing: Promise<void> | undefined
  private readyWaiter: Promise<void> | undefined
  private readonly replicas: ReplicaConfirmation

  constructor(private readonly options: ProducerConnectionOptions) {
    // Connects on first use: a service that never adds a job holds no connection.
    this.client = options.client
    this.replicas = new ReplicaConfirmation(this.client, options)
    this.client.on('error', (error: Error) => {
      this.lastError = error
      // One line per outage, not one per reconnection attempt.
      if (this.outageReported) return
      this.outageReported = true
      options.logger.warn(`Redis at ${options.redactedUrl} is not reachable for producers: ${error.message}`)
    })
    this.client.on('ready', () => {
      if (this.outageReported) options.logger.info(`Redis at ${options.redactedUrl} is reachable again for producers`)
      this.outageReported = false
      this.lastError = undefined
    })
  }

  /** True while Redis is not reachable (an outage was reported and has not ended). */
  get isDown(): boolean {
    return this.outageReported
  }

  /**
   * Resolves with the client once it is connected; rejects after `timeoutMs`
   * with an error that says what was being done (`action`) and which Redis
   * could not be reached.
   */
  async ready(action: string): Promise<RedisClient> {
    if (this.closing) throw new Error(`Cannot ${action}: the queue service is closed`)
    if (this.client.status === 'ready') return this.client
    // Failures arrive as 'error' events (kept in lastError); the wait below reports them.
    if (this.client.status === 'wait') this.client.connect().catch(() => undefined)
    const { timeoutMs, redactedUrl } = this.options
    let timer: NodeJS.Timeout | undefined
    try {
      const outcome = await Promise.race([
        this.nextReady().then(() => 'ready' as const),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeoutMs)
        }),
      ])
      if (outcome === 'ready') return this.client
    } finally {
      clearTimeout(timer)
    }
    const cause = this.lastError ? ` (${this.lastError.message})` : ''
    throw new Error(
      `Cannot ${action}: Redis at ${redactedUrl} did not answer within ${timeoutMs} ms${cause}. ` +
        'Check that Redis is running and that REDIS_URL points to it; producerTimeoutMs sets how long to wait.',
      { cause: this.lastError }
    )
  }

  /**
   * Settles at the next 'ready' event. Every caller waiting during an outage shares one listener:
   * one each would pass Node's limit of 10 and print a MaxListenersExceededWarning under load.
   */
  private nextReady(): Promise<void> {
    this.readyWaiter ??= new Promise<void>((resolve) => {
      this.client.once('ready', () => {
        this.readyWaiter = undefined
        resolve()
      })
    })
    return this.readyWaiter
  }

  /**
   * Runs a producer command once the connection is ready. A command that
   * fails because the connection dropped meanwhile (ioredis refuses it at
   * once, the offline queue being off) is reported like an unreachable Redis.
   */
  async run<T>(action: string, command: () => Promise<T>): Promise<T> {
    await this.ready(action)
    try {
      return await command()
    } catch (error) {
      if (isOutOfMemoryError(error)) {
        throw new Error(
          `Cannot ${action}: Redis at ${this.options.redactedUrl} is out of memory (maxmemory reached; with the noeviction policy BullMQ needs, ` +
            'it refuses new data). Nothing was added. Raise maxmemory, or let the workers drain the queues and keep fewer finished jobs.',
          { cause: error }
        )
      }
      if (!isConnectionError(error)) throw error
      const reason = error instanceof Error ? error.message : String(error)
      throw new Error(
        `Cannot ${action}: Redis at ${this.options.redactedUrl} is not reachable (${reason}). Check that Redis is running and that REDIS_URL points to it.`,
        { cause: error }
      )
    }
  }

  /**
   * Runs a producer command that writes (an add, say) and, with `replicaAcks`, resolves only once
   * that many replicas have it. Replication is asynchronous: a write only the master holds is lost
   * if a failover happens first (Sentinel promotes a replica that never saw it), yet the caller was
   * told it was added. WAIT closes that window: a write no replica confirmed in time rejects, so
   * the caller knows to retry (it may still exist, so a retry can add it twice: at-least-once).
   */
  async write<T>(action: string, command: () => Promise<T>): Promise<T> {
    const { replicaAcks, timeoutMs, redactedUrl } = this.options
    if (replicaAcks === 0) return this.run(action, command)
    const unconfirmed = (why: string) =>
      new Error(
        `Cannot ${action}: ${why} (Redis at ${redactedUrl}; a failover may be under way, or a replica is down). ` +
          'It may still be stored, so retrying can add it twice; replicaAcks sets how many replicas must confirm (0: none).',
      )
    let abandoned = false
    let timer: NodeJS.Timeout | undefined
    // One deadline for the whole call: while replicas cannot confirm, each WAIT holds the shared
    // connection for up to timeoutMs and writes queue behind it.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abandoned = true
        reject(unconfirmed(`${replicaAcks} replica(s) did not confirm the write within ${timeoutMs} ms`))
      }, timeoutMs)
    })
    try {
      return await Promise.race([deadline, this.writeAndConfirm(action, command, () => abandoned, unconfirmed)])
    } finally {
      clearTimeout(timer)
    }
  }

  private async writeAndConfirm<T>(action: string, command: () => Promise<T>, isAbandoned: () => boolean, unconfirmed: (why: string) => Error): Promise<T> {
    const { replicaAcks, timeoutMs } = this.options
    const before = await this.run(action, () => this.replicas.writeConnection())
    const result = await this.run(action, () => {
      // The caller was already told it failed: the write must not happen behind its back.
      if (isAbandoned()) throw unconfirmed('the deadline passed before the write was sent')
      return command()
    })
    const { confirmed, sameConnection } = await this.run(action, () => this.replicas.confirm(before))
    if (!sameConnection) throw unconfirmed('the connection was re-established before replicas confirmed the write')
    if (confirmed < replicaAcks) {
      throw unconfirmed(`${confirmed} of the ${replicaAcks} replica(s) it must reach confirmed the write within ${timeoutMs} ms`)
    }
    return result
  }

  /** Closes the connection; safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= closeRedisClient(this.client)
    return this.closing
  }
}

/**
 * ioredis' and Redis's own wording for commands refused or cut off by a lost connection, and for a
 * failover under way: a demoted master (READONLY), a Cluster re-electing (CLUSTERDOWN, TRYAGAIN,
 * its slot cache or nodes unreachable), no sentinel answering.
 */
const CONNECTION_ERROR =
  /Stream isn't writeable|Connection is closed|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|^READONLY|^CLUSTERDOWN|^TRYAGAIN|Cluster isn't ready|Failed to refresh slots cache|None of startup nodes is available|All sentinels are unreachable/

function isConnectionError(error: unknown): boolean {
  return error instanceof Error && CONNECTION_ERROR.test(`${error.message} ${(error as NodeJS.ErrnoException).code ?? ''}`)
}

/** Redis refuses writes past `maxmemory` under noeviction with an OOM error reply. */
function isOutOfMemoryError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('OOM ')
}
