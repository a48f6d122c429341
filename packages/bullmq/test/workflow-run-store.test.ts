import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { Redis } from 'ioredis'
import { WorkflowRunStore } from '../src/index.js'
import { deleteKeys, REDIS_URL, sleep, uniquePrefix } from './helpers.js'

const redis = new Redis(REDIS_URL)
const prefix = uniquePrefix('wf-store')

after(async () => {
  await deleteKeys(prefix)
  redis.disconnect()
})

test('finished runs leave every index after retention, however many older runs are still going', async () => {
  const store = new WorkflowRunStore({ ready: async () => redis }, { prefix, retentionMs: 1_000 })
  const start = () => store.createRun('orderWorkflow', {}, false, 'hash-v1', { type: 'test' })
  const going = await Promise.all(Array.from({ length: 250 }, start))
  const finished = await start()
  assert.equal(await store.updateRunStatus(finished, 'completed', { ok: true }), true)
  await sleep(2_100)
  await store.trimFinished()
  assert.equal(await store.getRun(finished), null, 'its keys expired')
  const all = await redis.zrange(`${prefix}:wf:runs:all`, '0', '-1')
  assert.equal(all.includes(finished), false, 'gone from the recent runs')
  assert.equal(all.length, 250, 'the runs still going stay')
  assert.equal((await store.countByStatus()).completed, 0)
  assert.equal((await store.countByStatus()).running, going.length)
})
