import { pikkuConfig } from '#pikku/setup'

export const createConfig = pikkuConfig(async () => ({
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  queuePrefix: process.env.PIKKU_QUEUE_PREFIX ?? 'bull',
  shutdownTimeoutMs: Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 25_000),
  // /healthz, /readyz, /metrics and the dashboard; see "Operations" in the README.
  monitoring:
    process.env.MONITORING_ENABLED === 'false'
      ? undefined
      : {
          host: process.env.MONITORING_HOST || '127.0.0.1',
          // Unset: 3001, or a free port if another local worker server has it.
          port: process.env.MONITORING_PORT ? Number(process.env.MONITORING_PORT) : undefined,
          dashboard: {
            enabled: process.env.DASHBOARD_ENABLED !== 'false',
            username: process.env.DASHBOARD_USERNAME || undefined,
            password: process.env.DASHBOARD_PASSWORD || undefined,
            writeActions: process.env.DASHBOARD_WRITE_ACTIONS === 'true',
          },
        },
}))
