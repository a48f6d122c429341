import { GENERATED_HEADER, importPath } from './import-path.js'

/** The typed producer: add() only accepts a wired queue name and that worker's input type. */
export function renderPikkuQueue(outFile: string, queueMapFile: string): string {
  return `${GENERATED_HEADER}import type { Safe } from '@pikku/core'
import type { JobOptions, QueueJob, QueueService } from '@pikku/core/queue'
import type { QueueMap, QueueName } from '${importPath(outFile, queueMapFile)}'

export type { QueueMap, QueueName }

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
