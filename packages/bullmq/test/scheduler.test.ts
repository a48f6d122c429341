import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { after, describe, test } from 'node:test'
import { Queue } from 'bullmq'
import { fileURLToPath } from 'node:url'
import { pikkuState } from '@pikku/core/ecosystem'
import { UnprocessableContentError } from '@pikku/core/errors'
import { BullServiceFactory, toScheduleSpec } from '../src/index.js'
import { deleteKeys, REDIS_URL, sleep, uniquePrefix, waitFor, withRedis } from './helpers.js'
import { setupSchedules, type TaskFunc } from './schedule-wiring.js'

const prefixes: string[] = []
const factories: BullServiceFactory[] = []

function newFactory(prefix: string, logger: ReturnType<typeof setupSchedules>): BullServiceFactory {
  const factory = new BullServiceFactory({ redisUrl: REDIS_URL, prefix, logger })
  factories.push(factory)
  return factory
}

function freshPrefix(label: string): string {
  const prefix = uniquePrefix(label)
  prefixes.push(prefix)
  return prefix
}

after(async () => {
  await Promise.all(factories.map((factory) => factory.close({ timeoutMs: 2000 })))
  await Promise.all(prefixes.map(deleteKeys))
})

describe('toScheduleSpec', () => {
  test('cron with 5 or 6 fields and an optional time zone, or an interval', () => {
    assert.deepEqual(toScheduleSpec({ name: 't', schedule: '*/5 * * * *' }), { pattern: '*/5 * * * *' })
    assert.deepEqual(toScheduleSpec({ name: 't', schedule: ' 0 30 2 * * * ', tz: 'Europe/Paris' }), { pattern: '0 30 2 * * *', tz: 'Europe/Paris' })
    assert.deepEqual(toScheduleSpec({ name: 't', every: '5m' }), { every: 300_000 })
    assert.deepEqual(toScheduleSpec({ name: 't', every: 1500 }), { every: 1500 })
  })

  test('every mistake is named with the task and how to fix it', () => {
    const cases: [object, RegExp][] = [
      [{}, /Scheduled task 't': no schedule; give schedule: '\*\/5 \* \* \* \*' \(cron\) or every: '5m'/],
      [{ schedule: '* * *' }, /has 3 field\(s\); use 5 .* or 6/],
      [{ schedule: '61 * * * *' }, /invalid cron schedule '61 \* \* \* \*': .*0-59/],
      [{ schedule: '* * * * *', tz: 'Mars/Olympus' }, /unknown time zone 'Mars\/Olympus'/],
      [{ every: 'soon' }, /every 'soon' is not a duration/],
      [{ every: 0 }, /positive whole number/],
      [{ every: '5m', tz: 'UTC' }, /tz only applies to a cron schedule/],
      [{ every: '5m', schedule: '* * * * *' }, /not both/],
    ]
    for (const [declaration, message] of cases) assert.throws(() => toScheduleSpec({ name: 't', ...declaration }), message, JSON.stringify(declaration))
  })
})

describe('BullSchedulerService on Redis', () => {
  test('a 1-second cron schedule fires repeatedly, each tick logged with its name and time', async () => {
    const prefix = freshPrefix('sched-cron')
    const runs: number[] = []
    const logger = setupSchedules([{ name: 'every-second', schedule: '* * * * * *', func: async () => void runs.push(Date.now()) }])
    const factory = newFactory(prefix, logger)
    await factory.getSchedulerService().start()
    await waitFor(() => runs.length >= 3, 'three ticks', 6000)
    assert.ok(runs[2]! - runs[0]! >= 1500, `ticks are a second apart: ${runs.map((run) => run - runs[0]!).join(', ')} ms`)
    assert.ok(logger.matching('info', /^Schedule 'every-second' \(\* \* \* \* \* \*\): next run \d{4}-/).length === 1, 'the start log lists the schedule and its next run')
    assert.ok(logger.matching('info', /^Schedule 'every-second' tick \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z done in \d+ ms$/).length >= 2)
    await factory.close()
  })

  test('stopping keeps the schedule; removing the wiring and starting again removes it', async () => {
    const prefix = freshPrefix('sched-reconcile')
    const noop: TaskFunc = async () => {}
    let factory = newFactory(prefix, setupSchedules([{ name: 'keep', every: '1h', func: noop }, { name: 'drop', schedule: '0 3 * * *', tz: 'Europe/Paris', func: noop }]))
    await factory.getSchedulerService().start()
    await factory.close()

    factory = newFactory(prefix, setupSchedules([{ name: 'keep', every: '1h', func: noop }, { name: 'drop', schedule: '0 3 * * *', tz: 'Europe/Paris', func: noop }]))
    const kept = await factory.getSchedulerService().listSchedules()
    assert.deepEqual(kept.map(({ name, schedule }) => [name, schedule]).sort(), [['drop', '0 3 * * * (Europe/Paris)'], ['keep', 'every 3600000 ms']], 'both survive a shutdown')
    await factory.close()

    const logger = setupSchedules([{ name: 'keep', every: '1h', func: noop }])
    factory = newFactory(prefix, logger)
    const scheduler = factory.getSchedulerService()
    await scheduler.start()
    assert.deepEqual((await scheduler.listSchedules()).map(({ name }) => name), ['keep'])
    assert.equal(logger.matching('info', /^Schedule 'drop' removed: it is no longer wired$/).length, 1)
    assert.equal(logger.matching('info', /^Schedule 'keep' (created|updated)/).length, 0, 'an unchanged schedule is left alone')
    await factory.close()
  })

  test('a tick missed while no worker ran runs once when one starts, not once per missed tick', async () => {
    const prefix = freshPrefix('sched-missed')
    const runs: number[] = []
    let factory = newFactory(prefix, setupSchedules([{ name: 'tick', every: 300, func: async () => void runs.push(Date.now()) }]))
    await factory.getSchedulerService().start()
    await waitFor(() => runs.length >= 1, 'a first tick')
    await factory.close()
    const before = runs.length

    await sleep(1500)
    factory = newFactory(prefix, setupSchedules([{ name: 'tick', every: 300, func: async () => void runs.push(Date.now()) }]))
    const restarted = Date.now()
    await factory.getSchedulerService().start()
    await sleep(250)
    // One run for the five missed ticks; on a slow machine the next regular tick can fall in the window too.
    const caughtUp = runs.filter((run) => run >= restarted).length
    assert.ok(caughtUp >= 1 && caughtUp <= 2, `five missed ticks ran ${caughtUp} times in the first 250 ms after the restart, not once`)
    await waitFor(() => runs.length >= before + 3, 'ticks to carry on')
    await factory.close()
  })

  test('a failing tick retries with its backoff, WARN then ERROR; skip() is not a failure', async () => {
    const prefix = freshPrefix('sched-retry')
    let attempts = 0
    const logger = setupSchedules([
      { name: 'flaky', every: '1h', attempts: 2, backoff: { type: 'fixed', delay: 100 }, func: async () => { attempts++; throw new Error('disk full') } },
      { name: 'skipper', every: '1h', func: async (_services, _data, wire) => wire.scheduledTask!.skip('nothing to do') },
    ])
    const factory = newFactory(prefix, logger)
    await factory.getSchedulerService().start()
    await waitFor(() => logger.matching('error', /^Schedule 'flaky' tick .* failed \(attempt 2\/2\), no attempts left: disk full/).length === 1, 'the final failure')
    assert.equal(attempts, 2)
    assert.equal(logger.matching('warn', /^Schedule 'flaky' tick .* failed \(attempt 1\/2\), will retry: disk full$/).length, 1)
    await waitFor(() => logger.matching('info', /^Schedule 'skipper' tick .* skipped: .*nothing to do/).length === 1, 'the skip')
    assert.equal(logger.matching('error', /skipper/).length, 0)
    await factory.close()
  })

  test("a tick of a task only newer code wires is handed back for another replica, and fails once it is long overdue", async () => {
    const prefix = freshPrefix('sched-foreign')
    const logger = setupSchedules([{ name: 'known', every: '1h', func: async () => {} }])
    const factory = newFactory(prefix, logger)
    await factory.getSchedulerService().start()
    const ticks = new Queue('pikku-schedules', { connection: { url: REDIS_URL }, prefix })
    try {
      const recent = await ticks.add('from-newer-code', {})
      const stale = await ticks.add('long-gone', {}, { timestamp: Date.now() - 10 * 60_000 })
      await waitFor(async () => (await ticks.getJobState(recent.id!)) === 'delayed', 'the recent tick to be handed back')
      assert.equal((await ticks.getJob(recent.id!))!.attemptsMade, 0, 'handing back uses no attempt')
      assert.equal(logger.matching('warn', /^Schedule 'from-newer-code' is not wired in this process: tick .* handed back for a replica that has it$/).length >= 1, true)
      await waitFor(async () => (await ticks.getJobState(stale.id!)) === 'failed', 'the stale tick to fail')
      assert.match((await ticks.getJob(stale.id!))!.failedReason, /^Schedule 'long-gone' is not wired in any worker that took its tick of .*; wire it, or restart a worker/)
    } finally {
      await ticks.close()
      await factory.close()
    }
  })

  test('three replicas started together make one schedule and run each tick once', async () => {
    const prefix = freshPrefix('sched-replicas')
    const fixture = fileURLToPath(new URL('./fixtures/schedule-replica.ts', import.meta.url))
    const replicas = Array.from({ length: 3 }, () => spawn(process.execPath, ['--import', 'tsx', fixture, prefix], { stdio: ['ignore', 'pipe', 'inherit'] }))
    try {
      await Promise.all(replicas.map((child) => new Promise<void>((resolve) => child.stdout!.on('data', (chunk) => String(chunk).includes('replica ready') && resolve()))))
      await sleep(3000)
    } finally {
      await Promise.all(replicas.map((child) => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM')))))
    }
    await withRedis(async (redis) => {
      const runs = (await redis.lrange(`${prefix}:runs`, 0, -1)).map((entry) => Number(entry.split(' ')[0]))
      assert.ok(runs.length >= 4 && runs.length <= 10, `about one run per 400 ms tick over 3 s, got ${runs.length}`)
      const gaps = runs.slice(1).map((run, index) => run - runs[index]!)
      assert.ok(Math.min(...gaps) >= 250, `no tick ran twice: gaps ${gaps.join(', ')} ms`)
    })
    const factory = newFactory(prefix, setupSchedules([{ name: 'heartbeat', every: 400, func: async () => {} }]))
    assert.equal((await factory.getSchedulerService().listSchedules()).length, 1, 'one scheduler in Redis')
  })
})

describe('scheduleRPC: a call run once, later, in whichever replica takes it', () => {
  /** Registers functions callable by name, as core's rpc resolves them (function meta, then the function itself). */
  function withCallable(logger: ReturnType<typeof setupSchedules>, functions: Record<string, (services: any, data: any) => Promise<unknown>>) {
    const meta = pikkuState(null, 'function', 'meta') as Record<string, unknown>
    for (const [name, func] of Object.entries(functions)) {
      meta[name] = { pikkuFuncId: name, sessionless: true, inputSchemaName: null, outputSchemaName: null }
      pikkuState(null, 'function', 'functions').set(name, { func } as never)
    }
    return logger
  }

  test('runs the function with its data after the delay, in a process started after it was scheduled; the same call scheduled twice runs once', async () => {
    const prefix = freshPrefix('sched-rpc')
    const calls: Array<{ data: unknown; at: number }> = []
    const logger = withCallable(setupSchedules([]), { wakeRun: async (_services, data) => void calls.push({ data, at: Date.now() }) })
    const producer = newFactory(prefix, logger)
    const scheduled = Date.now()
    const taskId = await producer.getSchedulerService().scheduleRPC(600, 'wakeRun', { runId: 'r1', stepId: 's1' })
    assert.equal(await producer.getSchedulerService().scheduleRPC('600ms', 'wakeRun', { runId: 'r1', stepId: 's1' }), taskId, 'a pending identical call is that call')
    assert.deepEqual(pick(await producer.getSchedulerService().getTask(taskId)), { taskId, rpcName: 'wakeRun', data: { runId: 'r1', stepId: 's1' }, status: 'scheduled' })
    assert.deepEqual((await producer.getSchedulerService().getAllTasks()).map(({ taskId: id, rpcName }) => ({ id, rpcName })), [{ id: taskId, rpcName: 'wakeRun' }])
    await producer.close()

    const worker = newFactory(prefix, logger)
    await worker.getSchedulerService().start()
    await waitFor(() => calls.length === 1, 'the scheduled call', 5_000)
    assert.deepEqual(calls[0]!.data, { runId: 'r1', stepId: 's1' })
    assert.ok(calls[0]!.at - scheduled >= 600, `ran ${calls[0]!.at - scheduled} ms after it was scheduled`)
    await waitFor(async () => (await worker.getSchedulerService().getTask(taskId))?.status === 'completed', 'the task to be completed')
    await sleep(300)
    assert.equal(calls.length, 1)
    await worker.close()
  })

  test('unschedule stops a call that has not run; a session, a bad delay and a refused input are errors that say so', async () => {
    const prefix = freshPrefix('sched-rpc-stop')
    let ran = 0
    const logger = withCallable(setupSchedules([]), {
      neverRuns: async () => void ran++,
      refuses: async () => {
        throw new UnprocessableContentError('order 7 does not exist')
      },
    })
    const factory = newFactory(prefix, logger)
    const scheduler = factory.getSchedulerService()
    await scheduler.start()
    const taskId = await scheduler.scheduleRPC(300, 'neverRuns', { n: 1 })
    assert.equal(await scheduler.unschedule(taskId), true)
    assert.equal(await scheduler.unschedule(taskId), false)
    await assert.rejects(scheduler.scheduleRPC(10, 'neverRuns', {}, { userId: 'u1' }), /a session cannot be scheduled.*pass the user id in data/)
    await assert.rejects(scheduler.scheduleRPC('soon', 'neverRuns', {}), /delay 'soon' is not a duration/)
    await assert.rejects(scheduler.scheduleRPC(-5, 'neverRuns', {}), /0 or more milliseconds, got -5/)
    const refused = await scheduler.scheduleRPC(0, 'refuses', {})
    await waitFor(async () => (await scheduler.getTask(refused))?.status === 'failed', 'the refused call to fail')
    const ticks = new Queue('pikku-schedules', { connection: { url: REDIS_URL }, prefix })
    try {
      const job = (await ticks.getJob(refused))!
      assert.deepEqual([job.attemptsMade, job.failedReason], [1, 'order 7 does not exist'], 'not retried')
      assert.equal(logger.matching('error', /^Scheduled call of rpc 'refuses' .* failed/).length, 1)
    } finally {
      await ticks.close()
    }
    await sleep(400)
    assert.equal(ran, 0)
    await factory.close()
  })

  test('a call of a function this process does not have is handed back for a replica that has it', async () => {
    const prefix = freshPrefix('sched-rpc-foreign')
    const logger = setupSchedules([])
    const factory = newFactory(prefix, logger)
    const scheduler = factory.getSchedulerService()
    await scheduler.start()
    const taskId = await scheduler.scheduleRPC(0, 'onlyInNewerCode', {})
    assert.equal(logger.matching('warn', /^scheduleRPC\('onlyInNewerCode'\): this process has no function of that name; the call runs only in a worker that has one$/).length, 1)
    await waitFor(() => logger.matching('warn', /^Scheduled call of rpc 'onlyInNewerCode' due .*: this process does not have that function; handed back/).length >= 1, 'the hand-back')
    assert.equal((await scheduler.getTask(taskId))?.status, 'scheduled')
    await factory.close()
  })
})

function pick(task: { taskId: string; rpcName: string; data?: unknown; status?: string } | null) {
  return task && { taskId: task.taskId, rpcName: task.rpcName, data: task.data, status: task.status }
}
