import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { pikkuState } from '@pikku/core/ecosystem'
import { BullServiceFactory } from '../src/index.js'
import { MemoryLogger, REDIS_URL, uniquePrefix } from './helpers.js'
import { declareMeta } from './fixtures/workflow-app.js'

const factories: BullServiceFactory[] = []
after(() => Promise.all(factories.map((factory) => factory.close())))

const newFactory = () => {
  const factory = new BullServiceFactory({ redisUrl: REDIS_URL, prefix: uniquePrefix('wf-queues'), logger: new MemoryLogger() })
  factories.push(factory)
  return factory
}

test('a per-queue config for a queue that is not a workflow queue is refused, naming the ones there are; a right one reaches its worker', () => {
  declareMeta()
  assert.throws(
    () => newFactory().getWorkflowService({ queues: { 'wf-step-reserve-stok': { batchSize: 2 } } }),
    /getWorkflowService\(\{ queues \}\) names 'wf-step-reserve-stok', which is not a workflow queue of this app: they are wf-orchestrator-order-workflow, .*wf-step-reserve-stock/,
  )
  assert.equal(pikkuState(null, 'queue', 'registrations').size, 0, 'nothing was wired by the refused call')
  const service = newFactory().getWorkflowService({ queues: { 'wf-step-reserve-stock': { batchSize: 2 } } })
  assert.ok(service.queueNames.includes('wf-step-reserve-stock'))
  const registration = pikkuState(null, 'queue', 'registrations').get('wf-step-reserve-stock') as { config?: { batchSize?: number } }
  assert.equal(registration.config?.batchSize, 2)
})
