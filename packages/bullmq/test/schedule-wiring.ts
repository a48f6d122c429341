import { pikkuState, setSingletonServices } from '@pikku/core/ecosystem'
import { wireScheduler } from '@pikku/core/scheduler'
import { LocalSecretService, LocalVariablesService } from '@pikku/core/services'
import type { SchedulerWiring } from '../src/index.js'
import { MemoryLogger } from './helpers.js'

export type TaskFunc = (services: any, data: undefined, wire: { scheduledTask?: { skip: (reason?: string) => never } }) => Promise<void>

/**
 * Wires scheduled tasks as generated code does: meta first (replacing what an earlier test
 * wired, so each call describes the whole app), then the wirings, then the singleton services.
 */
export function setupSchedules(tasks: Array<Omit<SchedulerWiring, 'name'> & { name: string; func: TaskFunc }>): MemoryLogger {
  const functionMeta: Record<string, unknown> = {}
  const schedulerMeta: Record<string, unknown> = {}
  for (const { name, schedule } of tasks) {
    functionMeta[`${name}Func`] = { pikkuFuncId: `${name}Func`, sessionless: true, inputSchemaName: null, outputSchemaName: null }
    schedulerMeta[name] = { pikkuFuncId: `${name}Func`, name, schedule: schedule ?? '' }
  }
  pikkuState(null, 'function', 'meta', functionMeta as any)
  pikkuState(null, 'scheduler', 'meta', schedulerMeta as any)
  pikkuState(null, 'scheduler', 'tasks').clear()
  for (const { func, ...wiring } of tasks) wireScheduler({ ...wiring, func: { func: func as any } } as any)
  const logger = new MemoryLogger()
  const variables = new LocalVariablesService()
  setSingletonServices({ config: {}, logger, variables, secrets: new LocalSecretService(variables) })
  return logger
}
