import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Queue } from 'bullmq'
import { createFactory, deleteKeys, REDIS_URL, setupPikku, uniquePrefix, waitFor } from './helpers.js'

// The built bin, as `npm run queues` runs it in a generated project (npm test builds first).
const BIN = fileURLToPath(new URL('../dist/cli/pikku-queues.js', import.meta.url))
const prefix = uniquePrefix('cli')

const logger = setupPikku({
  mail: { func: async (_services, data: { to: string }) => ({ sent: data.to }) },
  billing: {
    func: async (_services, data: { invoice: string; fail?: boolean }) => {
      if (data.fail) throw new Error(`Card declined for ${data.invoice}`)
      return { charged: data.invoice }
    },
  },
})

const queues: Record<string, Queue> = {}
const queue = (name: string) => (queues[name] ??= new Queue(name, { connection: { url: REDIS_URL }, prefix }))

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      // Piped output, as in CI: no TTY.
      env: { ...process.env, REDIS_URL, PIKKU_QUEUE_PREFIX: prefix, NO_COLOR: '', FORCE_COLOR: '', ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

async function runJson(args: string[]): Promise<any> {
  const result = await run([...args, '--json'])
  assert.equal(result.code, 0, `pikku-queues ${args.join(' ')} failed: ${result.stderr}`)
  return JSON.parse(result.stdout)
}

before(async () => {
  // Known contents. mail: 2 completed, 1 delayed. billing: 2 failed, 1 completed.
  // reports (no worker): 2 waiting and a cron job scheduler.
  const factory = createFactory(prefix, logger)
  await factory.init()
  await factory.getQueueWorkers().registerQueues()
  await queue('mail').add('welcome', { to: 'ada@example.com' }, { jobId: 'm1' })
  await queue('mail').add('welcome', { to: 'bob@example.com' }, { jobId: 'm2' })
  await queue('mail').add('digest', { to: 'cy@example.com' }, { jobId: 'm3', delay: 3_600_000 })
  await queue('billing').add('charge', { invoice: 'INV-1', fail: true }, { jobId: 'b1' })
  await queue('billing').add('charge', { invoice: 'INV-2', fail: true }, { jobId: 'b2' })
  await queue('billing').add('charge', { invoice: 'INV-3' }, { jobId: 'b3' })
  await waitFor(async () => (await queue('mail').getCompletedCount()) === 2 && (await queue('billing').getFailedCount()) === 2 && (await queue('billing').getCompletedCount()) === 1, 'the seeded jobs to finish')
  // No workers from here on: retried jobs stay waiting, so states are stable to assert.
  await factory.close()
  const b1 = await queue('billing').getJob('b1')
  await b1!.log('charging INV-1 with card ending 4242')
  await queue('reports').add('daily', { day: '2026-01-01' }, { jobId: 'r1' })
  await queue('reports').add('daily', { day: '2026-01-02' }, { jobId: 'r2' })
  await queue('reports').upsertJobScheduler('nightly', { pattern: '0 3 * * *', tz: 'UTC' }, { name: 'nightly-report', data: {} })
})

after(async () => {
  await Promise.all(Object.values(queues).map((q) => q.close()))
  await deleteKeys(prefix)
})

test('status: counts by state and finished jobs of the last minute, for every queue under the prefix', { timeout: 30_000 }, async () => {
  const status = await runJson(['status'])
  const byQueue = Object.fromEntries(status.map((row: { queue: string }) => [row.queue, row]))
  assert.deepEqual(Object.keys(byQueue), ['billing', 'mail', 'reports'])
  assert.deepEqual(byQueue.mail, { queue: 'mail', paused: false, waiting: 0, active: 0, delayed: 1, completed: 2, failed: 0, completedPerMinute: 2, failedPerMinute: 0 })
  assert.deepEqual(byQueue.billing, { queue: 'billing', paused: false, waiting: 0, active: 0, delayed: 0, completed: 1, failed: 2, completedPerMinute: 1, failedPerMinute: 2 })
  // The scheduler's next run is delayed, so reports has 2 waiting and 1 delayed.
  assert.equal(byQueue.reports.waiting, 2)
  assert.equal(byQueue.reports.delayed, 1)

  const table = await run(['status'])
  assert.equal(table.code, 0)
  const lines = table.stdout.trimEnd().split('\n')
  assert.match(lines[0]!, /^QUEUE\s+STATE\s+WAITING\s+ACTIVE\s+DELAYED\s+COMPLETED\s+FAILED\s+DONE\/MIN\s+FAILED\/MIN$/)
  assert.match(lines[1]!, /^billing\s+running\s+0\s+0\s+0\s+1\s+2\s+1\s+2$/)
  assert.doesNotMatch(table.stdout, /\x1b\[/, 'no colours without a TTY')
})

test('colours: on with FORCE_COLOR, off whenever NO_COLOR is set', { timeout: 30_000 }, async () => {
  assert.match((await run(['status'], { FORCE_COLOR: '1' })).stdout, /\x1b\[/)
  assert.doesNotMatch((await run(['status'], { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout, /\x1b\[/)
})

test('jobs: newest first, filtered by state, limited', { timeout: 30_000 }, async () => {
  const failed = await runJson(['jobs', 'billing', '--state', 'failed'])
  assert.deepEqual(failed.map((job: { id: string }) => job.id).sort(), ['b1', 'b2'])
  assert.deepEqual(failed.map((job: { failedReason: string }) => job.failedReason).sort(), ['Card declined for INV-1', 'Card declined for INV-2'])
  assert.equal(failed[0].state, 'failed')
  assert.equal(failed[0].attemptsMade, 1)
  assert.equal((await runJson(['jobs', 'billing'])).length, 3)
  assert.equal((await runJson(['jobs', 'billing', '--limit', '1'])).length, 1)
  const table = await run(['jobs', 'billing', '--state', 'failed'])
  assert.match(table.stdout, /^ID\s+NAME\s+STATE\s+ATTEMPTS\s+CREATED\s+FINISHED\s+ERROR$/m)
  assert.match(table.stdout, /^b1\s+charge\s+failed\s+1\/1\s+\S+\s+\S+\s+Card declined for INV-1$/m)
  const badState = await run(['jobs', 'billing', '--state', 'broken'])
  assert.equal(badState.code, 1)
  assert.match(badState.stderr, /argument 'broken' is invalid\. Allowed choices are waiting, prioritized, active/)
})

test('job: data, result, error and stack, attempts, progress, logs and timestamps', { timeout: 30_000 }, async () => {
  const failed = await runJson(['job', 'billing', 'b1'])
  assert.equal(failed.state, 'failed')
  assert.deepEqual(failed.data, { invoice: 'INV-1', fail: true })
  assert.equal(failed.failedReason, 'Card declined for INV-1')
  assert.match(failed.stacktrace[0], /^Error: Card declined for INV-1\n\s+at /)
  assert.deepEqual(failed.logs, ['charging INV-1 with card ending 4242'])
  assert.equal(failed.attemptsMade, 1)
  assert.ok(Date.parse(failed.createdAt) <= Date.parse(failed.processedAt) && Date.parse(failed.processedAt) <= Date.parse(failed.finishedAt))

  const completed = await runJson(['job', 'mail', 'm1'])
  assert.deepEqual(completed.result, { sent: 'ada@example.com' })
  assert.equal(completed.progress, 0)

  const text = (await run(['job', 'billing', 'b1'])).stdout
  assert.match(text, /^Job b1 \(charge\) in queue billing: failed$/m)
  assert.match(text, /^error\n  Card declined for INV-1$/m)
  assert.match(text, /^stack \(last 1 attempt\(s\)\)\n  Error: Card declined for INV-1$/m)
  assert.match(text, /^logs \(1\)\n  charging INV-1 with card ending 4242$/m)
})

test('clear errors for an unknown queue, an unknown job and an unreachable Redis', { timeout: 30_000 }, async () => {
  const unknownQueue = await run(['jobs', 'nope'])
  assert.equal(unknownQueue.code, 1)
  assert.equal(unknownQueue.stdout, '')
  assert.equal(unknownQueue.stderr, `error: Unknown queue 'nope' under prefix '${prefix}' in ${REDIS_URL}. Queues there: billing, mail, reports\n`)

  const unknownJob = await run(['job', 'billing', 'zzz'])
  assert.equal(unknownJob.code, 1)
  assert.match(unknownJob.stderr, /^error: No job 'zzz' in queue 'billing': it never existed, or removeOnComplete\/removeOnFail or a clean removed it\n$/)

  const noQueues = await run(['status', '--json'], { PIKKU_QUEUE_PREFIX: `${prefix}-empty` })
  assert.deepEqual(JSON.parse(noQueues.stdout), [])
  const emptyPrefix = await run(['jobs', 'mail'], { PIKKU_QUEUE_PREFIX: `${prefix}-empty` })
  assert.match(emptyPrefix.stderr, /there are no queues under prefix '.*-empty'.*Check REDIS_URL and PIKKU_QUEUE_PREFIX/)

  const down = await run(['status', '--redis-url', 'redis://:hunter2@127.0.0.1:1'])
  assert.equal(down.code, 1)
  assert.match(down.stderr, /^error: Cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1: connect ECONNREFUSED/)
  assert.doesNotMatch(down.stderr, /hunter2/)
})

test('retry one job or every failed job; refuses a job that is not finished', { timeout: 30_000 }, async () => {
  assert.deepEqual(await runJson(['retry', 'billing', 'b1']), { queue: 'billing', retried: ['b1'] })
  assert.equal(await queue('billing').getJobState('b1'), 'waiting')
  assert.deepEqual(await runJson(['retry', 'billing', '--all-failed']), { queue: 'billing', retried: 1 })
  assert.equal(await queue('billing').getJobState('b2'), 'waiting')
  assert.equal(await queue('billing').getFailedCount(), 0)

  const notFinished = await run(['retry', 'billing', 'b1'])
  assert.equal(notFinished.code, 1)
  assert.match(notFinished.stderr, /Job 'b1' in queue 'billing' is waiting: only failed or completed jobs can be retried/)
  const ambiguous = await run(['retry', 'billing'])
  assert.match(ambiguous.stderr, /Give either a job id or --all-failed/)
})

test('remove, clean, pause and resume change the queue', { timeout: 30_000 }, async () => {
  assert.deepEqual(await runJson(['remove', 'reports', 'r1']), { queue: 'reports', removed: 'r1' })
  assert.equal(await queue('reports').getJob('r1'), undefined)

  const cleaned = await runJson(['clean', 'mail', '--state', 'completed'])
  assert.deepEqual(cleaned.removed.sort(), ['m1', 'm2'])
  assert.equal(await queue('mail').getCompletedCount(), 0)
  assert.equal(await queue('mail').getDelayedCount(), 1, 'other states are kept')

  assert.equal((await run(['pause', 'reports'])).stdout, "Queue 'reports' paused\n")
  assert.equal(await queue('reports').isPaused(), true)
  assert.match((await run(['status'])).stdout, /^reports\s+paused\s/m)
  assert.deepEqual(await runJson(['resume', 'reports']), { queue: 'reports', paused: false })
  assert.equal(await queue('reports').isPaused(), false)
})

test('schedules: every job scheduler with its repeat rule and next run', { timeout: 30_000 }, async () => {
  const schedules = await runJson(['schedules'])
  assert.equal(schedules.length, 1)
  assert.deepEqual({ ...schedules[0], nextRunAt: undefined }, {
    queue: 'reports',
    id: 'nightly',
    jobName: 'nightly-report',
    pattern: '0 3 * * *',
    everyMs: null,
    timezone: 'UTC',
    nextRunAt: undefined,
    iterations: 1,
  })
  assert.match(schedules[0].nextRunAt, /T03:00:00\.000Z$/)
  assert.match((await run(['schedules'])).stdout, /^reports\s+nightly\s+nightly-report\s+cron 0 3 \* \* \* \(UTC\)\s+\S+T03:00:00\.000Z\s+1$/m)
})

test('watch: refreshes until Ctrl-C, then exits 0', { timeout: 30_000 }, async () => {
  const child = spawn(process.execPath, [BIN, 'watch', '--json', '--interval', '200'], {
    env: { ...process.env, REDIS_URL, PIKKU_QUEUE_PREFIX: prefix },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  const frames = () =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { at: string; queues: Array<{ queue: string; waiting: number }> })
  try {
    await waitFor(() => frames().length >= 1, 'the first frame', 10_000)
    const before = frames().at(-1)!.queues.find((row) => row.queue === 'reports')!.waiting
    await queue('reports').add('daily', { day: '2026-01-03' })
    await waitFor(() => frames().at(-1)!.queues.find((row) => row.queue === 'reports')!.waiting === before + 1, 'a frame that shows the new job', 10_000)
    child.kill('SIGINT')
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 5_000))])
    assert.equal(code, 0, `watch did not exit cleanly on SIGINT: ${stderr}`)
    assert.equal(stderr, '')
    assert.ok(new Set(frames().map((frame) => frame.at)).size >= 2)
  } finally {
    child.kill('SIGKILL')
  }
})

test('terminal views escape control characters and cut long fields, whatever a producer wrote', { timeout: 30_000 }, async () => {
  const hostilePrefix = `${prefix}-hostile`
  const name = 'evil\x1b[2J\x1b[H\rspoofed\nrow\u009b31m\u202e'
  const hostile = new Queue('hostile', { connection: { url: REDIS_URL }, prefix: hostilePrefix })
  try {
    const job = await hostile.add(name, { note: 'a\x1b]0;title\x07b', long: 'y'.repeat(10_000) }, { jobId: 'h\x1b[31m1' })
    await job.log('log line\x1b[1A with a cursor move')
    // As a worker would store a failure: a long reason full of escapes, and its stack.
    await job.moveToFailed(new Error(`bad\x1b[2J${'z'.repeat(10_000)}`), 'no-token', false).catch(() => undefined)
    await hostile.add('plain', {}, { jobId: 'h2' })
    const views = await Promise.all([
      run(['status'], { PIKKU_QUEUE_PREFIX: hostilePrefix }),
      run(['jobs', 'hostile'], { PIKKU_QUEUE_PREFIX: hostilePrefix }),
      run(['job', 'hostile', 'h\x1b[31m1'], { PIKKU_QUEUE_PREFIX: hostilePrefix }),
      run(['jobs', 'nope\x1b[2J'], { PIKKU_QUEUE_PREFIX: hostilePrefix }),
    ])
    for (const { stdout, stderr } of views) {
      const output = `${stdout}${stderr}`
      assert.doesNotMatch(output, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/, `a raw control character reached the terminal: ${JSON.stringify(output.slice(0, 300))}`)
    }
    const [, jobs, detail] = views
    // One row per job, however many line breaks the name holds.
    assert.equal(jobs!.stdout.trimEnd().split('\n').length, 3, jobs!.stdout)
    assert.match(jobs!.stdout, /evil\\u001b\[2J\\u001b\[H\\u000dspoofed\\nrow\\u009b31m\\u202e/)
    assert.ok(jobs!.stdout.split('\n').every((line) => line.length < 400), 'table rows stay short')
    assert.match(detail!.stdout, /^Job h\\u001b\[31m1 \(/m)
    assert.match(detail!.stdout, /characters, cut; --json prints all\)/)
    assert.ok(detail!.stdout.length < 20_000, `the job view printed ${detail!.stdout.length} characters`)
  } finally {
    await hostile.obliterate({ force: true })
    await hostile.close()
  }
})
