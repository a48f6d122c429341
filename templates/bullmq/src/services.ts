import { LocalSecretService, LocalVariablesService } from '@pikku/core/services'
import { PinoLogger } from 'pikku-bullmq'
import { pikkuServices } from '../.pikku/pikku-types.gen.js'

/**
 * Creates the services every job shares. Add your own (database, mailer, …)
 * here and declare them on SingletonServices in application-types.ts.
 * `existing` carries what the runtime built for you, such as queueService.
 */
export const createSingletonServices = pikkuServices(async (config, existing) => {
  const variables = new LocalVariablesService()
  return {
    ...existing,
    config,
    // JSON lines at LOG_LEVEL (default info), pretty on a terminal in development.
    logger: existing?.logger ?? new PinoLogger(),
    variables,
    secrets: new LocalSecretService(variables),
  }
})
