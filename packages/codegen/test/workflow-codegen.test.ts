// What codegen emits for durable workflows (the workflows fixture): the meta core's engine and
// pikku-bullmq's runtime read, as they find it in core's state after the bootstrap has loaded;
// graphHash, which tells a redeployed workflow from the one a run started on; and the typed
// surface, by the errors tsc gives for code that gets it wrong.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { copyProject, FIXTURES, pikku, typeCheck } from './fixture-project.js'

const removers: Array<() => void> = []
after(() => removers.forEach((remove) => remove()))

let generated: string
before(() => {
  const { root, remove } = copyProject(join(FIXTURES, 'workflows'))
  removers.push(remove)
  const run = pikku(root)
  assert.equal(run.status, 0, run.stderr)
  generated = root
})

/** A copy of the generated fixture, for a test that edits it. */
function copyOfGenerated(): string {
  const root = mkdtempSync(join(tmpdir(), 'pikku-codegen-'))
  removers.push(() => rmSync(root, { recursive: true, force: true }))
  cpSync(generated, root, { recursive: true, verbatimSymlinks: true })
  return root
}

interface WorkflowMeta {
  name: string
  pikkuFuncId: string
  source: string
  graphHash: string
  plannedSteps?: Array<{ stepName: string }>
}

/** The workflow meta as written, read from the generated file. */
function workflowMeta(root: string): Record<string, WorkflowMeta> {
  const text = readFileSync(join(root, '.pikku', 'workflow', 'pikku-workflows-meta.gen.ts'), 'utf8')
  return JSON.parse(/'meta', (\{[\s\S]*\}) satisfies/.exec(text)![1]!)
}

describe('workflow codegen', () => {
  test("the bootstrap puts workflow, rpc, function and queue meta into core's state, and registers the workflows and their steps", () => {
    const script = `
      await import('./.pikku/pikku-bootstrap.gen.ts')
      const { pikkuState } = await import('@pikku/core/ecosystem')
      console.log(JSON.stringify({
        workflows: pikkuState(null, 'workflows', 'meta'),
        registered: [...pikkuState(null, 'workflows', 'registrations').keys()].sort(),
        rpc: pikkuState(null, 'rpc', 'meta'),
        functions: pikkuState(null, 'function', 'meta'),
        functionIds: [...pikkuState(null, 'function', 'functions').keys()].sort(),
        queues: pikkuState(null, 'queue', 'meta'),
      }))`
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: generated, encoding: 'utf8', timeout: 30_000 })
    assert.equal(run.status, 0, run.stderr)
    const state = JSON.parse(run.stdout)

    const { orderWorkflow, notifyWorkflow, retryLater } = state.workflows as Record<string, WorkflowMeta>
    assert.match(orderWorkflow!.graphHash, /^[0-9a-f]{16}$/)
    assert.deepEqual(orderWorkflow, {
      name: 'orderWorkflow',
      pikkuFuncId: 'orderWorkflow',
      source: 'dsl',
      graphHash: orderWorkflow!.graphHash,
      plannedSteps: ['Reserve stock', 'Wait for payment', 'Make note', 'Confirm', 'Audit', 'Notify'].map((stepName) => ({ stepName })),
    })
    // Its step name is computed (`Send to ${email}`), so the list could not be complete.
    assert.deepEqual(Object.keys(notifyWorkflow!), ['name', 'pikkuFuncId', 'source', 'graphHash'])
    assert.equal(retryLater!.source, 'complex')
    assert.equal(retryLater!.plannedSteps, undefined)
    assert.deepEqual(state.registered, ['notifyWorkflow', 'orderWorkflow', 'retryLater'])

    const ids = ['audit', 'confirmOrder', 'notifyWorkflow', 'orderWorkflow', 'releaseStock', 'reserveStock', 'retryLater', 'startOrder']
    assert.deepEqual(state.rpc, Object.fromEntries(ids.map((id) => [id, id])))
    // Every workflow, every step function and compensation (whether the workflow wirings or a queue wiring registered it).
    assert.deepEqual(state.functionIds, ids)

    assert.equal(state.functions.reserveStock.workflowQueued, true)
    assert.equal('workflowQueued' in state.functions.confirmOrder, false)
    assert.deepEqual(state.functions.orderWorkflow, {
      pikkuFuncId: 'orderWorkflow',
      sessionless: true,
      inputSchemaName: 'OrderWorkflowInput',
      outputSchemaName: 'OrderWorkflowOutput',
    })
    // A Standard Schema input is run by the definer, not by core's schema service.
    assert.equal(state.functions.notifyWorkflow.inputSchemaName, null)

    assert.deepEqual(
      Object.entries(state.queues).filter(([name]) => name.startsWith('wf-')),
      [
        ['wf-orchestrator-notify-workflow', { pikkuFuncId: 'pikkuWorkflowOrchestrator:notifyWorkflow', name: 'wf-orchestrator-notify-workflow' }],
        ['wf-orchestrator-order-workflow', { pikkuFuncId: 'pikkuWorkflowOrchestrator:orderWorkflow', name: 'wf-orchestrator-order-workflow' }],
        ['wf-orchestrator-retry-later', { pikkuFuncId: 'pikkuWorkflowOrchestrator:retryLater', name: 'wf-orchestrator-retry-later' }],
        ['wf-step-reserve-stock', { pikkuFuncId: 'pikkuWorkflowStepWorker:reserveStock', name: 'wf-step-reserve-stock' }],
      ],
    )
  })

  test('the workflow wirings register only the step functions no wiring registers', () => {
    const wirings = readFileSync(join(generated, '.pikku', 'workflow', 'pikku-workflow-wirings.gen.ts'), 'utf8')
    assert.deepEqual(
      wirings.split('\n').filter((line) => line.startsWith('register')),
      [
        'registerWorkflow("notifyWorkflow", workflow0)',
        'registerWorkflow("orderWorkflow", workflow1)',
        'registerWorkflow("retryLater", workflow2)',
        // audit is wired to a queue: registering it again would replace that wiring's function.
        'registerWorkflowStep("confirmOrder", step0)',
        // releaseStock is only an onError compensation; it is registered all the same.
        'registerWorkflowStep("releaseStock", step1)',
        'registerWorkflowStep("reserveStock", step2)',
      ],
    )
  })

  test('graphHash changes when the workflow changes, not when it is re-indented or another file changes', () => {
    const root = copyOfGenerated()
    const before = workflowMeta(root)
    const regenerate = () => {
      const run = pikku(root)
      assert.equal(run.status, 0, run.stderr)
      return workflowMeta(root)
    }
    const functionsFile = join(root, 'src', 'order.functions.ts')
    writeFileSync(functionsFile, readFileSync(functionsFile, 'utf8').replace("return { reservationId: `r-${sku}` }", "return { reservationId: `res-${sku}` }"))
    assert.deepEqual(regenerate(), before)

    const workflowFile = join(root, 'src', 'order.workflow.ts')
    const source = readFileSync(workflowFile, 'utf8')
    writeFileSync(workflowFile, source.replaceAll('\n    ', '\n        '))
    assert.deepEqual(regenerate(), before)

    writeFileSync(workflowFile, source.replace("'Make note', async () => `reserved ", "'Make note', async () => `held "))
    const after = regenerate()
    assert.notEqual(after.orderWorkflow!.graphHash, before.orderWorkflow!.graphHash)
    assert.deepEqual(after.orderWorkflow!.plannedSteps, before.orderWorkflow!.plannedSteps)
    assert.equal(after.notifyWorkflow!.graphHash, before.notifyWorkflow!.graphHash)
  })

  test('plannedSteps is left out when the workflow is handed to code codegen does not read', () => {
    const root = copyOfGenerated()
    const workflowFile = join(root, 'src', 'order.workflow.ts')
    writeFileSync(
      workflowFile,
      `import type { TypedWorkflow } from '#pikku/workflow'\n${readFileSync(workflowFile, 'utf8').replace("await workflow.do('Audit', 'audit')", 'await audited(workflow)')}\nasync function audited(workflow: TypedWorkflow) {\n  await workflow.do('Audit', 'audit')\n}\n`,
    )
    const run = pikku(root)
    assert.equal(run.status, 0, run.stderr)
    assert.equal(workflowMeta(root).orderWorkflow!.plannedSteps, undefined)
  })

  test('steps, starts and results are typed: a wrong function name, wrong data or a wrong input fails tsc', () => {
    const root = copyOfGenerated()
    assert.equal(typeCheck(root), '')
    writeFileSync(
      join(root, 'checks', 'wrong.ts'),
      [
        "import { pikkuSessionlessFunc } from '#pikku/function'",
        "import { pikkuWorkflowFunc } from '#pikku/workflow'",
        'export const wrongSteps = pikkuWorkflowFunc<{ sku: string }, void>(async (_services, { sku }, { workflow }) => {',
        "  await workflow.do('Reserve', 'reserveStok', { sku, qty: 1 })",
        "  await workflow.do('Reserve', 'reserveStock', { sku, qty: '1' })",
        '})',
        'export const wrongStart = pikkuSessionlessFunc<{ sku: string }, void>(async ({ workflows }, { sku }) => {',
        "  await workflows.start('orderWorkflow', { sku })",
        '})',
        '',
      ].join('\n'),
    )
    const errors = typeCheck(root)
    assert.match(errors, /checks\/wrong\.ts\(4,32\): error TS2769: No overload matches this call\.[\s\S]*Argument of type '"reserveStok"' is not assignable to parameter of type 'keyof RPCMap'/)
    assert.match(errors, /checks\/wrong\.ts\(5,18\): error TS2769: No overload matches this call\.[\s\S]*rpcName: "reserveStock", data: \{ sku: string; qty: number; \}[\s\S]*Type 'string' is not assignable to type 'number'/)
    assert.match(errors, /checks\/wrong\.ts\(8,42\): error TS2345: Argument of type '\{ sku: string; \}' is not assignable to parameter of type '\{ sku: string; qty: number; \}'/)
    assert.equal(errors.match(/error TS/g)?.length, 3, errors)
  })
})
