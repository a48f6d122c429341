// Core's lines about job identities are security signals, not per-job noise: a forged or unsigned
// pikkuUserId claim, and a worker without PIKKU_QUEUE_IDENTITY_SECRET, are WARN lines at the default
// level (at most one per queue a minute), although core writes them through the scoped logger whose
// runner lines go out at debug.
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { after, test } from 'node:test'
import { Queue } from 'bullmq'
import { setSingletonServices } from '@pikku/core/ecosystem'
import { LocalSecretService, LocalVariablesService } from '@pikku/core/services'
import { pino } from 'pino'
import { PinoLogger } from '../src/index.js'
import { createFactory, filePrefixes, QUEUE_IDENTITY_SECRET, REDIS_URL, setupPikku } from './helpers.js'

setupPikku({
  'signed-in': { func: async (_services, _data, wire) => ({ user: wire.queue?.pikkuUserId ?? null }) },
  'no-secret': { func: async (_services, _data, wire) => ({ user: wire.queue?.pikkuUserId ?? null }) },
})
const prefixes = filePrefixes()
after(() => prefixes.deleteAll())

function captureAtInfo(): { logger: PinoLogger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()))
      done()
    },
  })
  return { logger: new PinoLogger({ instance: pino({ level: 'info' }, stream) }), lines }
}

async function runClaimedJobs(queueName: string, secret: string | undefined, count: number) {
  const { logger, lines } = captureAtInfo()
  const variables = new LocalVariablesService(secret ? { PIKKU_QUEUE_IDENTITY_SECRET: secret } : {})
  setSingletonServices({ config: {}, logger, variables, secrets: new LocalSecretService(variables) })
  const prefix = prefixes.next(queueName)
  const factory = createFactory(prefix, logger)
  const producer = new Queue(queueName, { connection: { url: REDIS_URL }, prefix })
  try {
    await factory.getQueueWorkers().registerQueues()
    const results: unknown[] = []
    for (let i = 0; i < count; i++) {
      // A producer that writes a claim nobody signed, as a foreign or compromised one could.
      const job = await producer.add(queueName, {}, { pikkuUserId: 'pq1.forged-claim' } as object)
      results.push(await (await factory.getQueueService().getJob(queueName, job.id!))!.waitForCompletion!(10_000))
    }
    return { results, lines }
  } finally {
    await producer.close()
    await factory.close()
  }
}

test('a worker without PIKKU_QUEUE_IDENTITY_SECRET says so at WARN when a job claims a user', { timeout: 30_000 }, async () => {
  const { results, lines } = await runClaimedJobs('no-secret', undefined, 1)
  assert.deepEqual(results, [{ user: null }])
  const warnings = lines.filter((line) => line.level === 40).map((line) => line.msg)
  assert.equal(warnings.filter((msg) => /No 'PIKKU_QUEUE_IDENTITY_SECRET' secret is configured/.test(msg)).length, 1, JSON.stringify(lines))
})

test('forged claims are rejected with one WARN per queue a minute, not one per job, and not at debug', { timeout: 30_000 }, async () => {
  const { results, lines } = await runClaimedJobs('signed-in', QUEUE_IDENTITY_SECRET, 4)
  assert.deepEqual(results, [{ user: null }, { user: null }, { user: null }, { user: null }])
  const rejections = lines.filter((line) => /Rejected an unsigned or invalid identity claim on job \d+ in queue signed-in/.test(line.msg))
  assert.equal(rejections.length, 1, JSON.stringify(lines))
  assert.equal(rejections[0]!.level, 40)
})
