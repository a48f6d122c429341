import { SignedQueueService } from '@pikku/core/queue'
import { LocalSecretService, LocalVariablesService } from '@pikku/core/services'
import { PinoLogger } from 'pikku-bullmq'
import { pikkuServices } from '#pikku/setup'

/**
 * Creates the services every job shares. Add your own (database, mailer, …)
 * here and declare them on SingletonServices in application-types.ts.
 * `existing` carries what the runtime built for you, such as queueService.
 */
export const createSingletonServices = pikkuServices(async (config, existing) => {
  const variables = new LocalVariablesService()
  const secrets = new LocalSecretService(variables)
  // JSON lines at LOG_LEVEL (default info), pretty on a terminal in development.
  const logger = existing?.logger ?? new PinoLogger()
  return {
    ...existing,
    config,
    logger,
    variables,
    secrets,
    // Signs `pikkuUserId` with PIKKU_QUEUE_IDENTITY_SECRET, so a job that adds jobs can pass its
    // user on and the worker can trust it (wire.queue.pikkuUserId). Without the secret the
    // user id is dropped with a warning.
    queueService: existing?.queueService && new SignedQueueService(existing.queueService, secrets, logger),
  }
})
