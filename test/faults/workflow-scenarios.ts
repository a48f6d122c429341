// The durable-workflow faults of RELIABILITY.md: a workflow (reserve as its own job, price inline,
// an inline closure, a sleep, confirm as its own job) run by worker processes of the runtime's
// workflow fixture (packages/bullmq/test/fixtures), on the suite's own Redis, killed or shut down
// at each point where core 0.12.84 with @pikku/redis's store would strand the run.
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { order, WorkflowHarness } from '../../packages/bullmq/test/fixtures/workflow-harness.js'
import { waitFor } from '../../packages/bullmq/test/helpers.js'
import { record } from './reliability-report.js'

const STEP_FUNCTIONS = ['Reserve', 'Price', 'Note', 'Confirm']

/** Registers the scenarios; `redisUrl` is read once the suite's Redis has started. */
export function workflowScenarios(redisUrl: () => string): void {
  let harness: WorkflowHarness
  const h = () => (harness ??= new WorkflowHarness(redisUrl()))

  /** One run through a fault: records whether it ended, how, and the steps that ran more than once. */
  async function runThrough(name: string, fault: (prefix: string, runId: string) => Promise<number>, notes = ''): Promise<void> {
    const prefix = h().prefix('wf-fault')
    const service = h().client(prefix)
    const { runId } = await service.startRun('orderWorkflow', order('f1'))
    const faultAt = await fault(prefix, runId)
    await h().expectCompleted(service, runId, 'f1')
    const counts = await h().effects(prefix)
    const extra = STEP_FUNCTIONS.reduce((sum, step) => sum + (counts[step] ?? 0) - 1, 0)
    const again = STEP_FUNCTIONS.filter((step) => (counts[step] ?? 0) > 1)
    record({
      scenario: `workflow: ${name}`,
      added: 1,
      completed: 1,
      lost: 0,
      duplicated: extra,
      timing: `run completed ${((Date.now() - faultAt) / 1000).toFixed(1)} s after the fault (lock, lease and stall check shortened to 1–3 s; with the defaults a crashed step is redelivered within ~35 s)`,
      notes: [again.length > 0 ? `step ${again.join(', ')} ran again (at-least-once); its result recorded once` : 'no step ran twice', notes].filter(Boolean).join('; '),
    })
  }

  describe('durable workflows under faults', { timeout: 240_000 }, () => {
    // Inside the describe: the suite's root `after` stops its Redis, and a harness closed after
    // that would retry it forever.
    after(() => harness?.close())

    test('kill -9 during a sleep', async () => {
      await runThrough('kill -9 during a sleep', async (prefix, runId) => {
        const first = await h().startWorker(prefix)
        const service = h().client(prefix)
        await waitFor(async () => (await service.store.getStepByName(runId, 'Wait'))?.status === 'scheduled', 'the sleep', 15_000)
        await h().kill9(first)
        const at = Date.now()
        await h().startWorker(prefix)
        return at
      })
    })

    for (const { step, what } of [
      { step: 'Reserve', what: 'a queued step (its own job)' },
      { step: 'Price', what: 'an inline step' },
    ]) {
      test(`kill -9 during ${what}`, async () => {
        await runThrough(`kill -9 during ${what}`, async (prefix) => {
          const first = await h().startWorker(prefix, { HOLD_STEP: step })
          await h().entered(prefix, step)
          await h().kill9(first)
          const at = Date.now()
          await h().startWorker(prefix)
          return at
        })
      })
    }

    test('kill -9 between a step result and the resume', async () => {
      await runThrough('kill -9 between a queued step\'s result and the resume', async (prefix) => {
        const first = await h().startWorker(prefix, { CRASH_BEFORE_RESUME: 'Reserve' }, true)
        if (first.exitCode === null && first.signalCode === null) await new Promise<void>((resolve) => first.once('exit', () => resolve()))
        const at = Date.now()
        await h().startWorker(prefix)
        return at
      }, 'the redelivered step job found the result and resumed')
    })

    test('forced shutdown mid-step', async () => {
      await runThrough('forced shutdown (300 ms deadline) mid-step', async (prefix) => {
        const first = await h().startWorker(prefix, { HOLD_STEP: 'Reserve' })
        await h().entered(prefix, 'Reserve')
        const exited = new Promise<number | null>((resolve) => first.once('exit', (code) => resolve(code)))
        first.kill('SIGTERM')
        assert.equal(await exited, 1, 'exits non-zero: it was forced')
        assert.match(first.output(), /Moved back to waiting/)
        const at = Date.now()
        await h().startWorker(prefix)
        return at
      }, 'the step job was handed back and run by the next worker')
    })

    test('second orchestrations while the run lock is held', async () => {
      await runThrough('10 extra orchestrations at once (the run lock held)', async (prefix, runId) => {
        await h().startWorker(prefix)
        const service = h().client(prefix)
        const at = Date.now()
        await Promise.all(Array.from({ length: 10 }, () => service.resumeWorkflow(runId)))
        return at
      }, 'retried, never failed')
    })

    test('a step refused as non-retryable', async () => {
      const prefix = h().prefix('wf-fault')
      await h().startWorker(prefix)
      const service = h().client(prefix)
      const at = Date.now()
      const { runId } = await service.startRun('failingWorkflow', {})
      const run = await service.waitForRun(runId, { timeoutMs: 15_000, pollMs: 100 })
      assert.equal(run.status, 'failed')
      assert.match(run.error!.message, /the order cannot be refused twice/)
      assert.equal((await h().effects(prefix)).Refuse, 1, 'not retried')
      // Its onError compensation ran once, given the step's error; the run still failed.
      assert.equal((await h().effects(prefix)).Release, 1, 'compensated once')
      assert.equal(await h().redis.get(`${prefix}:released-after`), run.error!.message)
      record({
        scenario: 'workflow: a queued step refused as non-retryable (UnprocessableContentError)',
        added: 1,
        completed: 0,
        failed: 1,
        lost: 0,
        duplicated: 0,
        timing: `run failed ${((Date.now() - at) / 1000).toFixed(1)} s after it started`,
        notes: `reason: "${run.error!.message}"; the step ran once, its onError compensation once`,
      })
    })

    /** A run of the v1 definition killed mid-'Confirm', then taken by a worker deployed with `planned` steps as `graphHash`. */
    async function redeployMidRun(orderId: string, graphHash: string, planned: string) {
      const prefix = h().prefix('wf-redeploy')
      const service = h().client(prefix)
      const old = await h().startWorker(prefix, { HOLD_STEP: 'Confirm' })
      const { runId } = await service.startRun('orderWorkflow', order(orderId, 100))
      await h().entered(prefix, 'Confirm')
      await h().kill9(old)
      await h().startWorker(prefix, { GRAPH_HASH: graphHash, PLANNED_STEPS: planned })
      return { prefix, service, runId }
    }

    test('a redeploy that changes the workflow mid-run', async () => {
      // v2 still has every step the run recorded (and one more).
      const kept = await redeployMidRun('f2', 'hash-v2', 'Reserve,Price,Note,Wait,Confirm,Audit')
      await h().expectCompleted(kept.service, kept.runId, 'f2')
      assert.equal((await kept.service.getRun(kept.runId))!.graphHash, 'hash-v2')
      assert.equal((await h().effects(kept.prefix)).Reserve, 1, 'recorded steps are reused')

      // v3 renamed 'Price': the run's past no longer fits.
      const dropped = await redeployMidRun('f3', 'hash-v3', 'Reserve,Quote,Note,Wait,Confirm')
      const run = await dropped.service.waitForRun(dropped.runId, { timeoutMs: 30_000, pollMs: 100 })
      assert.equal(run.status, 'failed')
      assert.equal(run.error!.code, 'VERSION_CONFLICT')
      assert.match(run.error!.message, /no step 'Price'/)
      record({
        scenario: 'workflow: redeploy changing the graphHash mid-run (2 runs: steps kept; a recorded step renamed)',
        added: 2,
        completed: 1,
        failed: 1,
        lost: 0,
        duplicated: 1,
        notes: `kept steps: resumed on the new definition by step name, recorded results reused (Confirm, killed mid-step, ran again); renamed step: failed with VERSION_CONFLICT, "${run.error!.message.slice(0, 90)}…"`,
      })
    })
  })
}
