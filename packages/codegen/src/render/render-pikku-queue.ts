import { GENERATED_HEADER, importPath } from './import-path.js'

/** The typed producer: add() only accepts a wired queue name and that worker's input type. */
export function renderPikkuQueue(outFile: string, queueMapFile: string): string {
  return `${GENERATED_HEADER}import type { Safe } from '@pikku/core'
import type { JobOptions, QueueJob, QueueService } from '@pikku/core/queue'
import type { QueueMap, QueueName } from '${importPath(outFile, queueMapFile)}'

export type { QueueMap, QueueName }

/** When a repeatable job repeats: a cron \`schedule\` (5 fields, or 6 with seconds first) with an optional IANA \`tz\`, or \`every\` (ms, or '5m'). */
export type RepeatSchedule = { schedule: string; tz?: string } | { every: number | string }

/** A repeatable job as stored by the queue service. */
export interface RepeatableJob {
  id: string
  schedule: string
  /** When it next adds a job, if known. */
  next: Date | undefined
}

/** What a queue service offers for repeatable jobs (pikku-bullmq's does). */
interface RepeatingQueueService {
  addRepeatable(queueName: string, id: string, repeat: RepeatSchedule, data: unknown, options?: JobOptions): Promise<RepeatableJob>
  getRepeatables(queueName: string): Promise<RepeatableJob[]>
  removeRepeatable(queueName: string, id: string): Promise<boolean>
}

export class PikkuQueue {
  constructor(private readonly queueService: QueueService) {}

  /** Adds a job and returns its id. */
  add<Name extends QueueName>(queueName: Name, data: Safe<QueueMap[Name]['input']>, options?: JobOptions): Promise<string> {
    return this.queueService.add<QueueMap[Name]['input']>(queueName, data, options)
  }

  /**
   * Adds several jobs to one queue and returns their ids in order: in one round trip when the
   * queue service has addBulk (pikku-bullmq's does), else one add per job.
   */
  addBulk<Name extends QueueName>(
    queueName: Name,
    jobs: ReadonlyArray<{ data: Safe<QueueMap[Name]['input']>; options?: JobOptions }>,
  ): Promise<string[]> {
    const service = this.queueService as QueueService & {
      addBulk?(queueName: string, jobs: ReadonlyArray<{ data: unknown; options?: JobOptions }>): Promise<string[]>
    }
    if (service.addBulk) return service.addBulk(queueName, jobs)
    return Promise.all(jobs.map(({ data, options }) => this.add(queueName, data, options)))
  }

  /**
   * Creates or updates the repeatable job \`id\`: a job with \`data\` is added to the queue on each
   * tick of \`repeat\`, however many processes run. Calling it again with the same id changes it.
   */
  addRepeatable<Name extends QueueName>(
    queueName: Name,
    id: string,
    repeat: RepeatSchedule,
    data: Safe<QueueMap[Name]['input']>,
    options?: JobOptions,
  ): Promise<RepeatableJob> {
    return this.repeating().addRepeatable(queueName, id, repeat, data, options)
  }

  /** The repeatable jobs of a queue, with their schedule and next run. */
  getRepeatables(queueName: QueueName): Promise<RepeatableJob[]> {
    return this.repeating().getRepeatables(queueName)
  }

  /** Stops a repeatable job; true if it existed. Jobs it already added stay. */
  removeRepeatable(queueName: QueueName, id: string): Promise<boolean> {
    return this.repeating().removeRepeatable(queueName, id)
  }

  private repeating(): RepeatingQueueService {
    const service = this.queueService as QueueService & Partial<RepeatingQueueService>
    if (!service.addRepeatable || !service.getRepeatables || !service.removeRepeatable) {
      throw new Error('This queue service has no repeatable jobs: use the BullQueueService of pikku-bullmq (BullServiceFactory.getQueueService())')
    }
    return service as RepeatingQueueService
  }

  /** The job, from any process, or null once it is gone (never added, or removed by retention). */
  getJob<Name extends QueueName>(
    queueName: Name,
    jobId: string,
  ): Promise<QueueJob<QueueMap[Name]['input'], QueueMap[Name]['output']> | null> {
    return this.queueService.getJob(queueName, jobId)
  }

  /** Waits for the job to finish: resolves with its result, rejects with its failure reason or on timeout. */
  async waitForResult<Name extends QueueName>(
    queueName: Name,
    jobId: string,
    options: { timeoutMs?: number } = {},
  ): Promise<QueueMap[Name]['output']> {
    const job = await this.getJob(queueName, jobId)
    if (!job) {
      throw new Error(\`Job \${jobId} not found in queue \${queueName}: it was never added, or retention already removed it\`)
    }
    if (!job.waitForCompletion) {
      throw new Error('This queue service cannot wait for results (supportsResults is false)')
    }
    return job.waitForCompletion(options.timeoutMs)
  }
}
`
}
