// Durable workflows on a real Redis: runs started from this process, executed by worker processes
// (fixtures/workflow-worker.ts). The crash scenarios are in test/faults/workflow-scenarios.ts.
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Queue } from 'bullmq'
import { pikkuState } from '@pikku/core/ecosystem'
import { countConnections, REDIS_URL, waitFor } from './helpers.js'
import { expectedOutput, order, WorkflowHarness } from './fixtures/workflow-harness.js'

const harness = new WorkflowHarness(REDIS_URL)
after(() => harness.close())

describe('durable workflows', { timeout: 240_000 }, () => {
  test('a run started from another process completes with the output, each step once, on its own queues', async () => {
    const prefix = harness.prefix('wf-happy')
    const worker = await harness.startWorker(prefix, { MONITORING: '1' })
    assert.match(worker.output(), /ready .*wf-orchestrator-order-workflow.*wf-step-reserve-stock/)
    assert.doesNotMatch(worker.output(), /pikku-workflow-orchestrator|pikku-workflow-step-worker/, 'no shared fallback queue is wired')
    // 2 per workflow queue (3 workflows, 3 queued step functions), the producers' 1 (shared by the
    // run store and locks) and the scheduler's 3; the monitoring server's own is not named by the prefix.
    await waitFor(async () => (await countConnections(prefix)) === 2 * 6 + 1 + 3, 'the worker connections', 5_000).catch(async () => {
      assert.fail(`connections: ${await countConnections(prefix)}`)
    })
    const service = harness.client(prefix)
    const { runId } = await service.startRun('orderWorkflow', order('o1'))
    await harness.expectCompleted(service, runId, 'o1')
    assert.deepEqual(await harness.effects(prefix), { Reserve: 1, Price: 1, Note: 1, Confirm: 1 })
    const status = await service.getRunStatus(runId)
    assert.deepEqual(status!.steps.map((step) => [step.name, step.status]), [['Reserve', 'succeeded'], ['Price', 'succeeded'], ['Note', 'succeeded'], ['Wait', 'succeeded'], ['Confirm', 'succeeded']])
    assert.deepEqual(await service.countRuns(), { running: 0, suspended: 0, completed: 1, failed: 0, cancelled: 0 })
    // Finished runs expire with retention; nothing is kept forever.
    const ttl = await harness.redis.ttl(`${prefix}:wf:run:${runId}`)
    assert.ok(ttl > 6 * 24 * 3600 && ttl <= 7 * 24 * 3600, `ttl ${ttl}`)

    // Operations: the monitoring server and the terminal view.
    const monitoringUrl = /monitoring (\S+)/.exec(worker.output())![1]!
    const metricsText = await (await fetch(`${monitoringUrl}/metrics`)).text()
    assert.match(metricsText, /pikku_workflow_runs\{status="completed"\} 1/)
    assert.match(metricsText, /pikku_queue_jobs\{queue="wf-step-reserve-stock",state="completed"\} 1/)
    const listed = (await (await fetch(`${monitoringUrl}/workflows`)).json()) as { counts: Record<string, number>; runs: Array<{ id: string; status: string }> }
    assert.equal(listed.counts.completed, 1)
    assert.deepEqual(listed.runs.map(({ id, status }) => ({ id, status })), [{ id: runId, status: 'completed' }])
    const one = (await (await fetch(`${monitoringUrl}/workflows/${runId}`)).json()) as { status: string; steps: unknown[] }
    assert.equal(one.status, 'completed')
    assert.equal(one.steps.length, 5)
    assert.equal((await fetch(`${monitoringUrl}/workflows/no-such-run`)).status, 404)
    const runsView = await harness.cli(prefix, ['workflows'])
    assert.match(runsView, new RegExp(`${runId}\\s+orderWorkflow\\s+completed`))
    assert.match(runsView, /completed 1/)
    const runView = await harness.cli(prefix, ['workflow', runId])
    for (const [step, fn] of [['Reserve', 'reserveStock'], ['Price', 'priceOrder'], ['Note', 'inline'], ['Wait', 'sleep'], ['Confirm', 'confirmOrder']]) {
      assert.match(runView, new RegExp(`${step}\\s+${fn}\\s+succeeded\\s+1\\s+\\S+\\s+\\d+ ms`), runView)
    }
    assert.match(runView, /"confirmed": true/)
    await assert.rejects(harness.cli(prefix, ['workflow', 'no-such-run']), /No workflow run no-such-run/)

    // A leftover orchestration of a finished run changes nothing.
    await service.resumeWorkflow(runId)
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.equal((await service.getRun(runId))!.status, 'completed')
    assert.deepEqual(await harness.effects(prefix), { Reserve: 1, Price: 1, Note: 1, Confirm: 1 })
    await harness.kill9(worker)
  })

  test('a cancelled run is never orchestrated again, and a finished run never changes status', async () => {
    const prefix = harness.prefix('wf-cancel')
    await harness.startWorker(prefix)
    const service = harness.client(prefix)
    const { runId } = await service.startRun('orderWorkflow', order('o7', 2_000))
    await waitFor(async () => (await service.store.getStepByName(runId, 'Wait'))?.status === 'scheduled', 'the sleep', 15_000)
    assert.equal(await service.cancelRun(runId, 'changed my mind'), true)
    assert.equal(await service.cancelRun(runId), false, 'a finished run does not change')
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    const run = await service.getRun(runId)
    assert.equal(run!.status, 'cancelled')
    assert.equal(run!.error!.message, 'changed my mind')
    assert.equal(await service.store.getStepByName(runId, 'Confirm'), undefined, 'the wake-up after the sleep did not go on')
  })

  test('a failure after a queued step recorded its result retries the resume, never the step', async () => {
    const prefix = harness.prefix('wf-resume-fails')
    const worker = await harness.startWorker(prefix, { FAIL_RESUME_ONCE: 'Reserve' })
    const service = harness.client(prefix)
    const { runId } = await service.startRun('orderWorkflow', order('r1'))
    await harness.expectCompleted(service, runId, 'r1')
    assert.equal((await harness.effects(prefix)).Reserve, 1, 'the step ran once')
    assert.equal(await harness.redis.get(`${prefix}:failed-resume:Reserve`), '1', 'the resume did fail once')
    assert.match(worker.output(), /Connection is closed \(injected/)
    await harness.kill9(worker)
  })

  test("a sleep whose wake-up job was lost is woken by the recovery task once it should have ended", async () => {
    const prefix = harness.prefix('wf-lost-sleep')
    const worker = await harness.startWorker(prefix)
    const service = harness.client(prefix)
    const { runId } = await service.startRun('orderWorkflow', order('s1', 2_000))
    await waitFor(async () => (await service.store.getStepByName(runId, 'Wait'))?.status === 'scheduled', 'the sleep', 15_000)
    const connection = harness.redis.duplicate()
    const schedules = new Queue('pikku-schedules', { connection, prefix })
    try {
      const wakeUps = (await schedules.getDelayed()).filter((job) => job.name === 'rpc:pikkuWorkflowSleeper')
      assert.equal(wakeUps.length, 1)
      await wakeUps[0]!.remove()
    } finally {
      await schedules.close()
      connection.disconnect()
    }
    // Sleep 2 s, then the worker's stall check (4 s) on a 1 s recovery tick.
    await harness.expectCompleted(service, runId, 's1', 20_000)
    assert.match(worker.output(), /its sleep should have ended by now; its wake-up is scheduled again/)
    await harness.kill9(worker)
  })

  test('mid rolling deploy an older worker hands a newer run back; after the rollout window it resumes the run by step name', async () => {
    const prefix = harness.prefix('wf-rollout')
    const worker = await harness.startWorker(prefix, { GRAPH_HASH: 'hash-v1' })
    await waitFor(async () => (await harness.redis.exists(`${prefix}:wf:version:orderWorkflow:hash-v1`)) === 1, 'v1 to be registered', 5_000)
    // This client was deployed with the next definition of the workflow.
    const meta = pikkuState(null, 'workflows', 'meta').orderWorkflow!
    meta.graphHash = 'hash-v2'
    try {
      const service = harness.client(prefix)
      const { runId } = await service.startRun('orderWorkflow', order('d1'))
      await waitFor(() => /was started on a newer definition of 'orderWorkflow' than this process has: handed back/.test(worker.output()), 'the hand-back', 10_000)
      assert.equal((await service.getRun(runId))!.status, 'running')
      assert.deepEqual(await harness.effects(prefix), {}, 'the older worker ran nothing of it')
      // No newer worker came (a rollback): once v2 first ran 10 minutes ago, the v1 worker takes the run.
      await harness.redis.hset(`${prefix}:wf:version:orderWorkflow:hash-v2`, 'seenAt', String(Date.now() - 11 * 60_000))
      await harness.expectCompleted(service, runId, 'd1')
      assert.equal((await service.getRun(runId))!.graphHash, 'hash-v1', 'resumed on the definition the worker has, by step name')
    } finally {
      meta.graphHash = 'hash-v1'
      await harness.kill9(worker)
    }
  })

  test('a sub-workflow runs as its own run; its output, or its failure, reaches the parent', async () => {
    const prefix = harness.prefix('wf-child')
    await harness.startWorker(prefix)
    const service = harness.client(prefix)
    const { runId } = await service.startRun('parentWorkflow', order('p1'))
    const run = await service.waitForRun(runId, { timeoutMs: 30_000, pollMs: 100 })
    assert.equal(run.status, 'completed', JSON.stringify(run.error))
    assert.deepEqual(run.output, { child: expectedOutput('p1') })
    const children = (await service.listRuns({ limit: 10 })).filter((child) => child.workflow === 'orderWorkflow')
    assert.equal(children.length, 1)
    assert.equal(children[0]!.wire.parentRunId, runId)

    const { runId: refused } = await service.startRun('parentWorkflow', { ...order('p2'), refuse: true })
    const failed = await service.waitForRun(refused, { timeoutMs: 30_000, pollMs: 100 })
    assert.equal(failed.status, 'failed')
    assert.match(failed.error!.message, /the order cannot be refused twice/)
  })

  test('100 concurrent runs on two worker processes all complete', async () => {
    const prefix = harness.prefix('wf-100')
    await Promise.all([harness.startWorker(prefix), harness.startWorker(prefix)])
    const service = harness.client(prefix)
    const runs = await Promise.all(Array.from({ length: 100 }, (_, i) => service.startRun('orderWorkflow', order(`c${i}`, 200))))
    await Promise.all(runs.map(({ runId }, i) => harness.expectCompleted(service, runId, `c${i}`, 120_000)))
    assert.deepEqual(await harness.effects(prefix), { Reserve: 100, Price: 100, Note: 100, Confirm: 100 })
    assert.equal((await service.countRuns()).completed, 100)
  })
})
