import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { createFactory, deleteKeys, sleep, setupPikku, uniquePrefix, waitFor } from './helpers.js'

const runs: unknown[] = []
const logger = setupPikku({ digest: { func: async (_services, data) => void runs.push(data) } })
const prefix = uniquePrefix('repeatable')
const factory = createFactory(prefix, logger)
after(async () => {
  await factory.close()
  await deleteKeys(prefix)
})

test('a repeatable job adds its data on every tick, can be changed in place, listed and removed', async () => {
  const service = factory.getQueueService()
  await factory.getQueueWorkers().registerQueues()

  const created = await service.addRepeatable('digest', 'team-digest', { every: 300 }, { team: 'a' })
  assert.equal(created.schedule, 'every 300 ms')
  await waitFor(() => runs.length >= 2, 'two ticks')
  assert.deepEqual(runs.slice(0, 2), [{ team: 'a' }, { team: 'a' }])

  await service.addRepeatable('digest', 'team-digest', { every: 250 }, { team: 'b' })
  await service.addRepeatable('digest', 'weekly', { schedule: '0 9 * * 1', tz: 'Europe/Paris' }, { team: 'all' }, { attempts: 3 })
  const listed = await service.getRepeatables('digest')
  assert.deepEqual(listed.map(({ id, schedule }) => [id, schedule]), [['team-digest', 'every 250 ms'], ['weekly', '0 9 * * 1 (Europe/Paris)']])
  const nextInParis = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(listed[1]!.next)
  assert.equal(nextInParis, 'Mon 09:00', 'the next run is Monday 09:00 in Paris')
  await waitFor(() => runs.some((data) => (data as { team: string }).team === 'b'), 'the changed data')

  assert.equal(await service.removeRepeatable('digest', 'team-digest'), true)
  assert.equal(await service.removeRepeatable('digest', 'team-digest'), false)
  await sleep(300)
  const after = runs.length
  await sleep(700)
  assert.equal(runs.length, after, 'no more ticks once removed')
  assert.deepEqual((await service.getRepeatables('digest')).map(({ id }) => id), ['weekly'])
})

test('a wrong schedule or a one-off option is refused before anything is stored', async () => {
  const service = factory.getQueueService()
  await assert.rejects(service.addRepeatable('digest', 'bad', { schedule: '61 * * * *' }, {}), /Repeatable job 'bad': invalid cron schedule '61 \* \* \* \*'/)
  await assert.rejects(service.addRepeatable('digest', 'bad', { every: 'soon' }, {}), /every 'soon' is not a duration/)
  await assert.rejects(service.addRepeatable('digest', 'bad', { every: 1000 }, {}, { jobId: 'x' }), /jobId, delay and deduplication cannot be set on a repeatable job/)
  assert.deepEqual((await service.getRepeatables('digest')).map(({ id }) => id).filter((id) => id === 'bad'), [])
})
