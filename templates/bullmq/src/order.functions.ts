import { pikkuSessionlessFunc } from '#pikku/function'

/**
 * A step of orderWorkflow. `workflowQueued: true` runs it as a job of its own (queue
 * wf-step-reserve-stock, retried with backoff) instead of inside the workflow's orchestration.
 * Steps run at least once (again after a crash), so the reservation is keyed by the step's
 * invocation id, which every retry of this step shares: reserving twice reserves once.
 */
export const reserveStock = pikkuSessionlessFunc<{ sku: string; quantity: number }, { reservationId: string }>({
  workflowQueued: true,
  func: async ({ logger }, { sku, quantity }, { workflowStep }) => {
    const reservationId = `res-${workflowStep?.invocationId ?? sku}`
    logger.info(`Reserved ${quantity} × ${sku} (${reservationId})`)
    return { reservationId }
  },
})

/** The last step of orderWorkflow; it runs inline, in the orchestration. */
export const confirmOrder = pikkuSessionlessFunc<{ reservationId: string }, { confirmed: boolean }>(async ({ logger }, { reservationId }) => {
  logger.info(`Confirmed ${reservationId}`)
  return { confirmed: true }
})
