import { pikkuConfig } from '../.pikku/pikku-types.gen.js'

export const createConfig = pikkuConfig(async () => ({
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  queuePrefix: process.env.PIKKU_QUEUE_PREFIX ?? 'bull',
  shutdownTimeoutMs: Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 25_000),
}))
