import { randomUUID } from 'node:crypto'
import type { Logger } from '@pikku/core/services'
import type { RedisClient } from './redis-client-builder.js'

/** Thrown when the lock is held elsewhere after waiting: the caller retries later rather than failing. */
export class LockBusyError extends Error {
  override readonly name = 'LockBusyError'
  constructor(readonly key: string) {
    super(`Lock ${key} is held by another process`)
  }
}

export interface RedisLockOptions {
  /** What the lock guards, for connection errors ("workflow lock", "schedules reconcile lock"). */
  purpose: string
  /** How long a lock outlives a holder that stops renewing it (a crashed process). */
  ttlMs: number
  /** How long to wait for a held lock before giving up with a LockBusyError. Default: Infinity. */
  waitMs?: number
}

/** Where the lock gets its client: once Redis is reachable. */
export interface LockConnection {
  ready(action: string): Promise<RedisClient>
}

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
const RETRY_MS = 25

/**
 * A Redis lock renewed every third of its TTL while its holder runs, so work that takes longer
 * than the TTL keeps it, and a holder whose process died frees it within the TTL.
 */
export class RedisLock {
  constructor(
    private readonly connection: LockConnection,
    private readonly logger: Logger,
    private readonly options: RedisLockOptions,
  ) {}

  async isHeld(key: string): Promise<boolean> {
    return (await (await this.connection.ready(this.options.purpose)).exists(key)) === 1
  }

  async withLock<T>(key: string, fn: () => Promise<T>, waitMs = this.options.waitMs ?? Infinity): Promise<T> {
    const redis = await this.connection.ready(this.options.purpose)
    const token = randomUUID()
    const giveUpAt = Date.now() + waitMs
    while ((await redis.set(key, token, 'PX', this.options.ttlMs, 'NX')) !== 'OK') {
      if (Date.now() >= giveUpAt) throw new LockBusyError(key)
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS))
    }
    const renewal = setInterval(() => {
      redis.eval(RENEW, 1, key, token, this.options.ttlMs).then(
        (renewed) => {
          if (renewed !== 1) this.logger.warn(`Lock ${key} was lost while held (Redis lost it, or its TTL passed during a pause)`)
        },
        (error: Error) => this.logger.warn(`Lock ${key} could not be renewed: ${error.message}`),
      )
    }, Math.max(100, Math.floor(this.options.ttlMs / 3)))
    renewal.unref()
    try {
      return await fn()
    } finally {
      clearInterval(renewal)
      // Only our own lock: after a long pause it may have expired and passed to another holder.
      await redis.eval(RELEASE, 1, key, token).catch(() => undefined)
    }
  }
}
