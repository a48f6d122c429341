import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Queue } from 'bullmq'
import { chromium } from 'playwright-core'
import { startMonitoringServer, type BullServiceFactory, type MonitoringServer } from '../src/index.js'
import { createFactory, deleteKeys, REDIS_URL, setupPikku, uniquePrefix, waitFor } from './helpers.js'

// Debian's package; the test never downloads a browser.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** Kept after the run (gitignored) so a person can see what the board showed. */
const ARTIFACTS = path.resolve(fileURLToPath(new URL('../../../test-artifacts', import.meta.url)))
const SCREENSHOT = path.join(ARTIFACTS, 'dashboard-failed-job.png')

const logger = setupPikku({
  emails: { func: async (_services, data: { to: string }) => ({ sent: data.to }) },
  exports: {
    func: async (_services, data: { rows: number }) => {
      throw new Error(`Export of ${data.rows} rows failed: disk full`)
    },
  },
})

const prefix = uniquePrefix('board')
let factory: BullServiceFactory
let server: MonitoringServer
const queues: Queue[] = []

before(async () => {
  if (!existsSync(CHROMIUM)) return
  factory = createFactory(prefix, logger)
  await factory.init()
  await factory.getQueueWorkers().registerQueues()
  const emails = new Queue('emails', { connection: { url: REDIS_URL }, prefix })
  const exports = new Queue('exports', { connection: { url: REDIS_URL }, prefix })
  queues.push(emails, exports)
  await emails.add('welcome', { to: 'ada@example.com' })
  await exports.add('nightly', { rows: 1234 })
  await waitFor(async () => (await emails.getCompletedCount()) === 1 && (await exports.getFailedCount()) === 1, 'the jobs to finish')
  server = await startMonitoringServer({
    queueNames: ['emails', 'exports'],
    queueWorkers: factory.getQueueWorkers(),
    redisUrl: REDIS_URL,
    prefix,
    host: '127.0.0.1',
    port: 0,
    dashboard: { username: 'ops', password: 'board-test-pass', title: 'Board test' },
    logger,
  })
})

after(async () => {
  await server?.close()
  await factory?.close()
  await Promise.all(queues.map((queue) => queue.close()))
  await deleteKeys(prefix)
})

test('headless Chromium shows the project queues and the failed job with its error', { timeout: 60_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`no Chromium at ${CHROMIUM}: install Debian's 'chromium' package (apt-get install chromium) or set CHROMIUM_PATH`)
    return
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
  try {
    const context = await browser.newContext({ httpCredentials: { username: 'ops', password: 'board-test-pass' }, viewport: { width: 1400, height: 900 } })
    const page = await context.newPage()
    await page.goto(`${server.url}/admin/queues`)
    // The overview lists every queue the server was given.
    await page.getByText('emails', { exact: true }).first().waitFor()
    await page.getByText('exports', { exact: true }).first().waitFor()

    await page.goto(`${server.url}/admin/queues/queue/exports?status=failed`)
    await page.getByText('Export of 1234 rows failed: disk full').first().waitFor()
    mkdirSync(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    assert.ok(existsSync(SCREENSHOT))

    // Read-only: the page offers no retry button for the failed job.
    assert.equal(await page.getByRole('button', { name: /retry/i }).count(), 0)

    // Without credentials the browser gets no board.
    const anonymous = await browser.newContext()
    assert.equal((await anonymous.request.get(`${server.url}/admin/queues`)).status(), 401)
  } finally {
    await browser.close()
  }
})
