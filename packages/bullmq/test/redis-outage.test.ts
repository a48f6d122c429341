import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Redis } from 'ioredis'
import { BullServiceFactory, startMonitoringServer, type MonitoringServer } from '../src/index.js'
import { setupPikku, startOwnRedis, uniquePrefix, waitFor } from './helpers.js'

const logger = setupPikku({
  echo: { func: async (_services, data: { n: number }) => ({ echoed: data.n }) },
})

async function timed<T>(promise: Promise<T>): Promise<{ outcome: T | Error; ms: number }> {
  const startedAt = Date.now()
  const outcome = await promise.catch((error: Error) => error)
  return { outcome, ms: Date.now() - startedAt }
}

test('a producer rejects within producerTimeoutMs when Redis is unreachable, naming the URL without its password', { timeout: 20_000 }, async () => {
  const factory = new BullServiceFactory({
    redisUrl: 'redis://app:s3cret@127.0.0.1:1',
    prefix: uniquePrefix('unreachable'),
    logger,
    producerTimeoutMs: 300,
  })
  const queueService = factory.getQueueService()
  const added = await timed(queueService.add('echo', { n: 1 }))
  assert.ok(added.outcome instanceof Error, 'add() rejected')
  assert.match(added.outcome.message, /^Cannot add a job to queue 'echo': Redis at redis:\/\/app:\*\*\*@127\.0\.0\.1:1 did not answer within 300 ms \(.*ECONNREFUSED.*\)/)
  assert.doesNotMatch(added.outcome.message, /s3cret/)
  assert.ok(added.ms >= 290 && added.ms < 3000, `add() rejected after ${added.ms} ms`)

  const read = await timed(queueService.getJob('echo', '1'))
  assert.ok(read.outcome instanceof Error && /Cannot read job 1 of queue 'echo'/.test(read.outcome.message))
  // The outage is logged once, not once per reconnection attempt.
  assert.equal(logger.matching('warn', /not reachable for producers/).length, 1)

  const closed = await timed(factory.close())
  assert.ok(closed.ms < 2000, `close() took ${closed.ms} ms`)
})

test('workers wait through a Redis outage and resume; producers fail fast meanwhile and work again after', { timeout: 60_000 }, async () => {
  const redis = await startOwnRedis()
  const prefix = uniquePrefix('outage')
  const workers = new BullServiceFactory({ redisUrl: redis.url, prefix, logger })
  const producers = new BullServiceFactory({ redisUrl: redis.url, prefix, logger, producerTimeoutMs: 500 })
  try {
    await workers.init()
    await workers.getQueueWorkers().registerQueues()
    const queueService = producers.getQueueService()
    const before = await queueService.add('echo', { n: 1 })
    assert.deepEqual(await (await queueService.getJob('echo', before))!.waitForCompletion!(5000), { echoed: 1 })

    await redis.stop()
    const during = await timed(queueService.add('echo', { n: 2 }))
    assert.ok(during.outcome instanceof Error, 'add() rejected while Redis was down')
    assert.match(during.outcome.message, new RegExp(`^Cannot add a job to queue .echo.: Redis at redis://127\\.0\\.0\\.1:${redis.port} (did not answer within 500 ms|is not reachable)`))
    assert.ok(during.ms < 3000, `add() rejected after ${during.ms} ms`)

    await redis.restart()
    // The producer's connection comes back within its retry backoff; adds fail fast until it has.
    const after = await waitFor(() => queueService.add('echo', { n: 3 }).catch(() => undefined), 'an add to succeed after the restart', 10_000)
    // The worker reconnects by itself and takes jobs added after the outage.
    assert.deepEqual(await (await queueService.getJob('echo', after))!.waitForCompletion!(20_000), { echoed: 3 })
  } finally {
    await producers.close()
    await workers.close({ timeoutMs: 2000 })
    await redis.stop()
  }
})

test('a Redis at maxclients: /readyz fails naming the cause, and the log says it, until Redis takes connections again', { timeout: 120_000 }, async () => {
  const redis = await startOwnRedis()
  const prefix = uniquePrefix('maxclients')
  const workers = new BullServiceFactory({ redisUrl: redis.url, prefix, logger, connection: { connectionName: `${prefix}-worker` } })
  const admin = new Redis(redis.url)
  let monitoring: MonitoringServer | undefined
  const readiness = async () => {
    const response = await fetch(`${monitoring!.url}/readyz`)
    return { status: response.status, body: (await response.json()) as { reasons?: string[] } }
  }
  try {
    await workers.init()
    await workers.getQueueWorkers().registerQueues()
    monitoring = await startMonitoringServer({
      queueNames: ['echo'],
      queueWorkers: workers.getQueueWorkers(),
      redisUrl: redis.url,
      prefix,
      host: '127.0.0.1',
      port: 0,
      connection: { connectionName: `${prefix}-monitoring` },
      dashboard: { enabled: false },
      logger,
    })
    await waitFor(async () => (await readiness()).status === 200, 'ready before the fault')

    // No room for a new connection, then the workers lose theirs; this probe's connection survives.
    await admin.config('SET', 'maxclients', '1')
    const clients = (await admin.call('CLIENT', 'LIST')) as string
    for (const line of clients.split('\n')) {
      const [, id, name] = /id=(\d+) .*name=(\S+)/.exec(line) ?? []
      if (id && name?.startsWith(`${prefix}-worker`)) await admin.call('CLIENT', 'KILL', 'ID', id)
    }
    const notReady = await waitFor(async () => {
      const current = await readiness()
      return current.status === 503 ? current.body.reasons : undefined
    }, '/readyz to fail', 10_000)
    assert.match(notReady.join('\n'), /the worker for queue 'echo' has no Redis connection \(\w+\): Redis refuses new connections: ERR max number of clients reached/)
    // Written when a worker's reconnection fails and a probe of Redis then reads the refusal: on a
    // loaded machine (the full suite in CI) that took longer than 15 s once.
    await waitFor(() => logger.matching('error', /^Redis refuses new connections: ERR max number of clients reached\. The workers cannot reconnect/).length > 0, 'the log to name the cause', 40_000)

    await admin.config('SET', 'maxclients', '10000')
    await waitFor(async () => (await readiness()).status === 200, 'ready again once Redis takes connections', 30_000)
  } finally {
    await monitoring?.close()
    await workers.close()
    admin.disconnect()
    await redis.stop()
  }
})

test('fifty adds waiting through an outage share one ready listener: every one fails fast, no MaxListenersExceededWarning', { timeout: 30_000 }, async () => {
  const redis = await startOwnRedis()
  const factory = new BullServiceFactory({ redisUrl: redis.url, prefix: uniquePrefix('listeners'), logger, producerTimeoutMs: 800 })
  const warnings: Error[] = []
  const onWarning = (warning: Error) => warnings.push(warning)
  process.on('warning', onWarning)
  try {
    const queueService = factory.getQueueService()
    await queueService.add('echo', { n: 0 })
    await redis.stop()
    // Once the client knows Redis is gone, every add waits for the next 'ready'.
    await waitFor(() => logger.matching('warn', new RegExp(`127\\.0\\.0\\.1:${redis.port} is not reachable for producers`)).length > 0, 'the outage to be noticed')
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, (_, n) => queueService.add('echo', { n })))
    assert.ok(outcomes.every((outcome) => outcome.status === 'rejected'), 'every add rejected during the outage')
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning').map((warning) => warning.message), [])
  } finally {
    process.off('warning', onWarning)
    await factory.close()
    await redis.stop()
  }
})

test("the scheduler's queue reports an outage as one log line, and writes nothing raw to stderr", { timeout: 30_000 }, async () => {
  const redis = await startOwnRedis()
  const factory = new BullServiceFactory({ redisUrl: redis.url, prefix: uniquePrefix('scheduler-outage'), logger })
  const raw: unknown[] = []
  const consoleError = console.error
  console.error = (...args: unknown[]) => raw.push(args)
  try {
    await factory.init()
    await factory.getSchedulerService().start()
    await redis.stop()
    await new Promise((resolve) => setTimeout(resolve, 4_000))
    assert.deepEqual(raw, [], 'no raw error dumps')
    assert.ok(logger.matching('warn', /^Schedules queue 'pikku-schedules': /).length <= 1, 'at most one line a minute')
  } finally {
    console.error = consoleError
    // Redis is gone, so the workers cannot finish closing: the deadline hands back and force-closes.
    await factory.close({ timeoutMs: 500 })
    await redis.stop()
  }
})
