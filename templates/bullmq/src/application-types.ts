import type {
  CoreConfig,
  CoreServices,
  CoreSingletonServices,
  CoreUserSession,
} from '@pikku/core'
import type { MonitoringServerOptions } from 'pikku-bullmq'

/** Read once at start-up by createConfig (src/config.ts). */
export interface Config extends CoreConfig {
  /** Where BullMQ keeps its queues: REDIS_URL, default redis://127.0.0.1:6379. */
  redisUrl: string
  /** Prefix of every BullMQ key: PIKKU_QUEUE_PREFIX, default "bull". */
  queuePrefix: string
  /** How long a shutdown waits for running jobs: SHUTDOWN_TIMEOUT_MS, default 25000. */
  shutdownTimeoutMs: number
  /** The monitoring server (MONITORING_* and DASHBOARD_* variables); none with MONITORING_ENABLED=false. */
  monitoring: Pick<MonitoringServerOptions, 'host' | 'port' | 'dashboard'> | undefined
}

/** Queue jobs run without a session; this is the shape a signed-in user would have. */
export interface UserSession extends CoreUserSession {
  userId: string
}

/** Services created once per process (src/services.ts) and shared by every job. */
export interface SingletonServices extends CoreSingletonServices<Config> {}

/** What a function receives as its first argument. */
export interface Services extends CoreServices<SingletonServices> {}
