import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { LockBusyError, RedisLock } from '../src/connection/redis-lock.js'
import { BullServiceFactory } from '../src/index.js'
import { deleteKeys, MemoryLogger, REDIS_URL, sleep, uniquePrefix, waitFor } from './helpers.js'
import { setupSchedules } from './schedule-wiring.js'

const REPLICA = fileURLToPath(new URL('./fixtures/schedule-replica.ts', import.meta.url))
const redis = new Redis(REDIS_URL)
const prefix = uniquePrefix('redis-lock')
const lock = new RedisLock({ ready: async () => redis }, new MemoryLogger(), { purpose: 'test lock', ttlMs: 600 })

after(async () => {
  await deleteKeys(prefix)
  redis.disconnect()
})

test('a holder keeps the lock past its TTL by renewing it; others wait or give up; it is freed on release', async () => {
  const key = `${prefix}:held`
  let contender: Promise<string> | undefined
  await lock.withLock(key, async () => {
    await sleep(1_500) // 2.5 TTLs
    assert.equal(await lock.isHeld(key), true, 'renewed while held')
    await assert.rejects(lock.withLock(key, async () => 'no', 0), LockBusyError)
    contender = lock.withLock(key, async () => 'after release', 5_000)
    await sleep(100)
  })
  assert.equal(await contender, 'after release')
  assert.equal(await lock.isHeld(key), false)
})

test("a dead holder's lock (no renewal) is taken once its TTL passes, and release never deletes another's lock", async () => {
  const key = `${prefix}:dead`
  await redis.set(key, 'a crashed process', 'PX', 600)
  const startedAt = Date.now()
  await lock.withLock(key, async () => {
    // Simulates a pause longer than the TTL in which another holder took the lock.
    await redis.set(key, 'someone else')
  })
  const waited = Date.now() - startedAt
  assert.ok(waited >= 500 && waited < 2_000, `waited ${waited} ms for a 600 ms TTL`)
  assert.equal(await redis.get(key), 'someone else')
})

test('a replica killed while reconciling the schedules delays the next start by the lock TTL (5 s), not more', async () => {
  const schedulesPrefix = uniquePrefix('reconcile-lock')
  const lockKey = `${schedulesPrefix}:pikku-schedules:reconcile-lock`
  const replica = spawn(process.execPath, ['--import', 'tsx', REPLICA, schedulesPrefix], { env: { ...process.env, HANG_RECONCILE: '1' }, stdio: 'ignore' })
  const factory = new BullServiceFactory({ redisUrl: REDIS_URL, prefix: schedulesPrefix, logger: setupSchedules([{ name: 'heartbeat', every: 400, func: async () => undefined }]) })
  try {
    await waitFor(async () => (await redis.exists(lockKey)) === 1, 'the replica to hold the reconcile lock', 30_000)
    await new Promise<void>((resolve) => {
      replica.once('exit', () => resolve())
      replica.kill('SIGKILL')
    })
    const killedAt = Date.now()
    await factory.getSchedulerService().start()
    const took = Date.now() - killedAt
    assert.ok(took < 7_000, `start() took ${took} ms after the kill`)
    assert.deepEqual((await factory.getSchedulerService().listSchedules()).map((schedule) => schedule.name), ['heartbeat'])
  } finally {
    replica.kill('SIGKILL')
    await factory.close({ timeoutMs: 2_000 })
    await deleteKeys(schedulesPrefix)
  }
})
