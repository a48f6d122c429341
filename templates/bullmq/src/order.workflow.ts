import { pikkuWorkflowFunc } from '#pikku/workflow'

/**
 * A durable workflow: each step's result is recorded in Redis, so the run carries on where it
 * was after a restart or a crash, and the sleep is a delayed job, not a timer in memory.
 * Start it with `npm run order -- <sku> <quantity>`, or `services.workflows.start('orderWorkflow', …)`.
 */
export const orderWorkflow = pikkuWorkflowFunc<{ sku: string; quantity: number }, { reservationId: string; confirmed: boolean }>({
  func: async (_services, { sku, quantity }, { workflow }) => {
    const { reservationId } = await workflow.do('Reserve stock', 'reserveStock', { sku, quantity })
    await workflow.sleep('Wait for payment', '2s')
    const { confirmed } = await workflow.do('Confirm order', 'confirmOrder', { reservationId })
    return { reservationId, confirmed }
  },
})
