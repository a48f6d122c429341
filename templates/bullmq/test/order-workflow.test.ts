// Runs orderWorkflow on the real workers, scheduler and Redis at REDIS_URL, under a key prefix of
// its own so that a running worker server never takes these jobs (and the other way round).
import '#pikku/pikku-bootstrap.gen.js'
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BullServiceFactory } from 'pikku-bullmq'
import { PikkuWorkflows } from '#pikku/pikku-workflow.gen.js'
import { createConfig } from '../src/config.js'
import { deletePrefix } from './delete-prefix.js'
import { createSingletonServices } from '../src/services.js'

const config = { ...(await createConfig()), queuePrefix: `test-${process.pid}-${Date.now()}` }
const bull = new BullServiceFactory({ redisUrl: config.redisUrl, prefix: config.queuePrefix })
const workflowService = bull.getWorkflowService()
const workflows = new PikkuWorkflows(workflowService)

before(async () => {
  await bull.init()
  const scheduler = bull.getSchedulerService()
  await createSingletonServices(config, { queueService: bull.getQueueService(), schedulerService: scheduler, workflowService })
  await bull.getQueueWorkers().registerQueues()
  await scheduler.start()
})

after(async () => {
  await bull.close()
  await deletePrefix(config.redisUrl, config.queuePrefix)
})

test('orderWorkflow reserves, sleeps 2 s, confirms, and records each step once', async () => {
  const startedAt = Date.now()
  const { runId } = await workflows.start('orderWorkflow', { sku: 'sku-1', quantity: 2 })
  const output = await workflows.waitForResult('orderWorkflow', runId, { timeoutMs: 30_000 })
  assert.match(output.reservationId, /^res-/)
  assert.equal(output.confirmed, true)
  assert.ok(Date.now() - startedAt >= 2_000, 'the sleep lasted 2 s')
  const status = await workflows.status(runId)
  assert.deepEqual(
    status?.steps.map(({ name, status, attempts }) => [name, status, attempts]),
    [
      ['Reserve stock', 'succeeded', 1],
      ['Wait for payment', 'succeeded', 1],
      ['Confirm order', 'succeeded', 1],
    ],
  )
})

test('a run can be cancelled while it sleeps, and then never goes on', async () => {
  const { runId } = await workflows.start('orderWorkflow', { sku: 'sku-2', quantity: 1 })
  const deadline = Date.now() + 10_000
  while ((await workflows.status(runId))?.steps.find((step) => step.name === 'Wait for payment')?.status !== 'scheduled') {
    assert.ok(Date.now() < deadline, 'the run reached its sleep within 10 s')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  assert.equal(await workflows.cancel(runId, 'customer cancelled'), true)
  await assert.rejects(workflows.waitForResult('orderWorkflow', runId, { timeoutMs: 5_000 }), /cancelled/)
  await new Promise((resolve) => setTimeout(resolve, 2_500))
  assert.equal((await workflows.status(runId))?.status, 'cancelled')
})
