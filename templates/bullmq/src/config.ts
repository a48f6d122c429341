import { pikkuConfig } from '#pikku/setup'

export const createConfig = pikkuConfig(async () => ({
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  queuePrefix: process.env.PIKKU_QUEUE_PREFIX ?? 'bull',
  shutdownTimeoutMs: integerFromEnv('SHUTDOWN_TIMEOUT_MS', 0, Number.MAX_SAFE_INTEGER) ?? 25_000,
  // /healthz, /readyz, /metrics and the dashboard; see "Operations" in the README.
  monitoring:
    process.env.MONITORING_ENABLED === 'false'
      ? undefined
      : {
          host: process.env.MONITORING_HOST || '127.0.0.1',
          // Unset: 3001, or a free port if another local worker server has it.
          port: integerFromEnv('MONITORING_PORT', 0, 65_535),
          dashboard: {
            enabled: process.env.DASHBOARD_ENABLED !== 'false',
            username: process.env.DASHBOARD_USERNAME || undefined,
            password: process.env.DASHBOARD_PASSWORD || undefined,
            writeActions: process.env.DASHBOARD_WRITE_ACTIONS === 'true',
          },
        },
}))

/** A whole number from the environment, or undefined when unset; anything else stops start-up with the variable and its value. */
function integerFromEnv(name: string, min: number, max: number): number | undefined {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return undefined
  const value = Number(raw)
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`)
  }
  return value
}
