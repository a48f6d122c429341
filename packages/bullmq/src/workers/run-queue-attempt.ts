import type { Job } from 'bullmq'
import { getCreateWireServices, getSingletonServices, pikkuState, runPikkuFunc } from '@pikku/core/ecosystem'
import { PikkuMissingMetaError } from '@pikku/core/errors'
import { runQueueJob, type CoreQueueWorker } from '@pikku/core/queue'
import type { Logger } from '@pikku/core/services'
import { INPUT_PARSED, inputValidatorOf, type InputValidator } from './input-validation.js'
import { mapBullJob } from '../producer/map-bull-job.js'
import type { BullJobOptions } from '../producer/map-job-options.js'
import { QueueWire } from './queue-wire.js'
import type { RunningJob } from './running-jobs.js'
import { prepareLeanAttempt, type LeanAttempt } from './lean/lean-attempt.js'
import { debugLinesEnabled } from '../logging/debug-lines.js'

// The published .d.ts says Promise<void>, but runQueueJob resolves to the function's result.
const runCoreQueueJob = runQueueJob as (...args: Parameters<typeof runQueueJob>) => Promise<unknown>

/** Each wiring's lean attempt, prepared at its first job (null: its function takes core's path). */
const leanAttempts = new WeakMap<object, LeanAttempt | null>()

/**
 * Runs one attempt of a job: the wired function with its middleware,
 * permissions, input validation and wire services, and resolves to the
 * function's result. With `lean` (the default), a function whose
 * configuration the lean path implements runs through it (see
 * lean/lean-attempt.ts); any other, and every attempt without `lean`, runs
 * through core's `runPikkuFunc`.
 *
 * This is what core's `runQueueJob` does, with its two per-job log lines at
 * debug and `wire.queue` built as a {@link QueueWire}, whose signal costs
 * nothing until read (the per-job profile is in BENCHMARKS.md), and a
 * Standard Schema input validated where core validates JSON Schemas, before
 * the permissions (see input-validation.ts). A job that
 * claims a user (`pikkuUserId`, signed by SignedQueueService) goes through
 * `runQueueJob` itself, because only core can verify the claim.
 */
export function runQueueAttempt(running: RunningJob, traceId: string, logger: Logger, lean = true): Promise<unknown> {
  const { job } = running
  if ((job.opts as BullJobOptions).pikkuUserId) return runClaimedJob(job, traceId)
  const meta = pikkuState(null, 'queue', 'meta')[job.queueName]
  if (!meta) throw new PikkuMissingMetaError(`Missing generated metadata for queue worker '${job.queueName}'`)
  const registration = pikkuState(null, 'queue', 'registrations').get(job.queueName)
  if (!registration) throw new Error(`Queue worker registration not found for: ${job.queueName}`)

  const validateInput = inputValidatorOf(registration.func)
  let leanAttempt = lean ? leanAttempts.get(registration) : null
  if (leanAttempt === undefined) {
    leanAttempt = prepareLeanAttempt(job.queueName, meta.pikkuFuncId, registration, meta.middleware) ?? null
    leanAttempts.set(registration, leanAttempt)
  }
  const run = () =>
    leanAttempt
      ? leanAttempt.run(traceId, new QueueWire(running), job.data, validateInput, getSingletonServices(), getCreateWireServices())
      : runOnCorePath(running, traceId, meta, registration, validateInput)
  return debugLinesEnabled(logger) ? withDebugLines(job, logger, run) : run()
}

/** The attempt between its two debug lines. */
async function withDebugLines(job: Job, logger: Logger, run: () => Promise<unknown>): Promise<unknown> {
  logger.debug(`Processing job ${job.id} in queue ${job.queueName}`)
  const result = await run()
  logger.debug(`Processed job ${job.id} in queue ${job.queueName}`)
  return result
}

/** The attempt through core's `runPikkuFunc`, as pikku-bullmq passes it a queue job. */
async function runOnCorePath(running: RunningJob, traceId: string, meta: { pikkuFuncId: string; middleware?: any }, registration: CoreQueueWorker, validateInput: InputValidator | undefined): Promise<unknown> {
  // Core's runner defines `wire.rpc` as an accessor whose getter closes over the run. V8 keeps such
  // a getter, and all it reaches, alive until the next full GC, so the run must not reach the job:
  // the data is handed over through a holder and dropped, with wire.queue, once the attempt ends.
  const input: { data: unknown } = { data: running.job.data }
  const wire: { traceId: string; queue?: QueueWire; [INPUT_PARSED]?: true } = { traceId, queue: new QueueWire(running) }
  if (validateInput) wire[INPUT_PARSED] = true
  try {
    return await runPikkuFunc('queue', running.job.queueName, meta.pikkuFuncId, {
      singletonServices: getSingletonServices(),
      createWireServices: getCreateWireServices(),
      auth: false,
      data: validateInput ? () => validateInput(input.data) : () => input.data,
      inheritedMiddleware: meta.middleware,
      wireMiddleware: registration.middleware,
      tags: registration.tags,
      wire,
    })
  } finally {
    input.data = undefined
    wire.queue = undefined
  }
}

/** Separate from runQueueAttempt so that its closure does not put the job in that function's scope. */
function runClaimedJob(job: Job, traceId: string): Promise<unknown> {
  return runCoreQueueJob({ job: mapBullJob(job), updateProgress: (progress) => job.updateProgress(progress), traceId })
}
