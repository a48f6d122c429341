// Starts orderWorkflow on the worker server, waits for it to finish and prints its result.
// Run it while `npm start` is running in another terminal: npm run order -- <sku> <quantity>
import '#pikku/pikku-bootstrap.gen.js'
import { BullServiceFactory } from 'pikku-bullmq'
import { PikkuWorkflows } from '#pikku/pikku-workflow.gen.js'
import { createConfig } from '../src/config.js'

const config = await createConfig()
const bull = new BullServiceFactory({ redisUrl: config.redisUrl, prefix: config.queuePrefix, producerTimeoutMs: 5_000 })
const workflows = new PikkuWorkflows(bull.getWorkflowService())

const sku = process.argv[2] ?? 'sku-1'
const quantity = Number(process.argv[3] ?? 1)
try {
  const { runId } = await workflows.start('orderWorkflow', { sku, quantity })
  console.log(`Started orderWorkflow run ${runId}, waiting for it (it sleeps 2 s)…`)
  console.log(await workflows.waitForResult('orderWorkflow', runId, { timeoutMs: 60_000 }))
} catch (error) {
  console.error(`The order did not complete: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
} finally {
  await bull.close()
}
