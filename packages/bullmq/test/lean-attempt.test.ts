// The lean attempt path against core's runPikkuFunc, on real BullMQ jobs: every fixture runs once
// with `leanAttempts: false` (core's path) and once with the default, and both runs must end the
// same way: the job's state, result or failedReason and attempts, the class and message of the
// error BullMQ was given (and of its cause), and the side effects in the order they happened
// (middleware in and out, permissions, wire services created and closed, what the function saw).
// Fixtures whose configuration the lean path does not implement must not take it.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Ajv, type ValidateFunction } from 'ajv'
import { addGlobalPermission } from '@pikku/core/middleware'
import { addTagMiddleware } from '@pikku/core/middleware'
import { pikkuState, setSingletonServices, addGlobalMiddleware } from '@pikku/core/ecosystem'
import { UnprocessableContentError } from '@pikku/core/errors'
import { wireQueueWorker } from '@pikku/core/queue'
import { addSchema } from '@pikku/core/schema'
import { LocalSecretService, LocalVariablesService, type SchemaService } from '@pikku/core/services'
import { BullServiceFactory } from '../src/index.js'
import { VALIDATE_INPUT, INPUT_PARSED } from '../src/workers/input-validation.js'
import { LeanWire } from '../src/workers/lean/lean-wire.js'
import { filePrefixes, MemoryLogger, REDIS_URL, waitFor } from './helpers.js'

const prefixes = filePrefixes()
after(() => prefixes.deleteAll())

type Path = 'core' | 'lean'
let currentPath: Path = 'core'
/** Side effects by queue and path, in the order they happened. */
const effects = new Map<string, string[]>()
/** Whether each run's wire was the lean path's, as the global middleware (first in every chain) saw it. */
const sawLeanWire = new Map<string, boolean>()

function record(queueName: string | undefined, effect: string): void {
  const key = `${queueName}:${currentPath}`
  effects.set(key, [...(effects.get(key) ?? []), effect])
}

const queueOf = (wire: any): string | undefined => wire?.queue?.queueName

function middleware(label: string, priority?: string) {
  const fn = async (services: any, wire: any, next: () => Promise<void>) => {
    const key = `${queueOf(wire)}:${currentPath}`
    // The first chain only: a wire.rpc call inside the function runs the global middleware again, on core's copy of the wire.
    if (label === 'global' && !sawLeanWire.has(key)) sawLeanWire.set(key, wire instanceof LeanWire)
    record(queueOf(wire), `${label}> rpc:${typeof wire.rpc} beginChanges:${typeof wire.beginChanges} secrets:${typeof services.secrets}`)
    await next()
    record(queueOf(wire), `<${label}`)
  }
  if (priority) (fn as any).__priority = priority
  return fn
}

/** What every fixture function reports of its call. */
function observe(services: any, data: any, wire: any): Record<string, unknown> {
  return {
    data,
    wireType: wire.wireType,
    wireId: wire.wireId,
    functionId: wire.functionId,
    traceIdMatches: wire.traceId === `${wire.queue.queueName}:${wire.queue.jobId}`,
    parsed: wire[INPUT_PARSED] === true,
    rpc: typeof wire.rpc,
    beginChanges: typeof wire.beginChanges,
    session: wire.session ?? null,
    serviceNames: Object.keys(services).sort(),
  }
}

interface Fixture {
  func: (services: any, data: any, wire: any) => Promise<unknown>
  funcConfig?: Record<string | symbol, unknown>
  meta?: Record<string, unknown>
  wiring?: Record<string, unknown>
  queueMiddlewareMeta?: unknown[]
  data?: unknown
  options?: Record<string, unknown>
  lean: boolean
}

const noop = async (services: any, data: any, wire: any) => observe(services, data, wire)

const fixtures: Record<string, Fixture> = {
  'diff-plain': { func: noop, wiring: { middleware: [middleware('wire')] }, data: { n: 1 }, lean: true },
  'diff-no-middleware': { func: noop, data: { n: 2 }, lean: true },
  'diff-order': {
    func: noop,
    queueMiddlewareMeta: [{ type: 'tag', tag: 'billing:invoices' }, { type: 'wire', name: 'named' }],
    meta: { middleware: [{ type: 'tag', tag: 'fn-tag' }] },
    wiring: { middleware: [middleware('wire'), middleware('shared')] },
    funcConfig: { middleware: [middleware('func'), middleware('high', 'high'), middleware('lowest', 'lowest')] },
    lean: true,
  },
  'diff-permission-passes': {
    func: noop,
    funcConfig: {
      permissions: {
        denied: async (_s: any, _d: any, wire: any) => (record(queueOf(wire), 'denied?'), false),
        owner: async (services: any, data: any, wire: any) => (record(queueOf(wire), `owner? ${JSON.stringify(data)} logger:${typeof services.logger}`), true),
      },
    },
    data: { owner: 'ada' },
    lean: true,
  },
  'diff-permission-refuses': {
    func: noop,
    funcConfig: { permissions: { owner: async () => false, both: [async () => true, async () => false] } },
    options: { attempts: 3 },
    lean: true,
  },
  'diff-permission-array-passes': { func: noop, funcConfig: { permissions: [async () => true, async () => true] }, lean: true },
  'diff-global-permission-refuses': { func: noop, data: { denyGlobal: true }, options: { attempts: 3 }, lean: true },
  'diff-scopes': { func: noop, meta: { scopes: ['admin'] }, options: { attempts: 3 }, lean: true },
  'diff-readonly': { func: noop, meta: { readonly: true }, lean: true },
  'diff-json-schema-defaults': {
    func: noop,
    meta: { inputSchemaName: 'DiffInput' },
    data: { name: 'ada' },
    lean: true,
  },
  'diff-json-schema-refuses': { func: noop, meta: { inputSchemaName: 'DiffInput' }, data: { name: 42 }, options: { attempts: 3 }, lean: true },
  'diff-standard-schema': {
    func: noop,
    funcConfig: { [VALIDATE_INPUT]: async (data: any) => ({ ...data, trimmed: String(data.text).trim() }) },
    data: { text: '  hi  ' },
    lean: true,
  },
  'diff-standard-schema-refuses': {
    func: noop,
    funcConfig: {
      [VALIDATE_INPUT]: async () => {
        throw new UnprocessableContentError('Invalid data: text: expected string')
      },
    },
    options: { attempts: 3 },
    lean: true,
  },
  'diff-wire-services': {
    func: async (services, data, wire) => ({ ...observe(services, data, wire), tx: services.tx.id, secrets: typeof Object.getOwnPropertyDescriptor(services, 'secrets')?.get }),
    lean: true,
  },
  'diff-secrets-in-function': {
    func: async (services) => services.secrets.getSecret('KEY'),
    lean: true,
  },
  'diff-secrets-in-permission': {
    func: noop,
    funcConfig: { permissions: { reads: async (services: any) => Boolean(services.secrets) } },
    lean: true,
  },
  'diff-rpc': {
    func: async (services, data, wire) => ({ ...observe(services, data, wire), helper: await wire.rpc.invoke('diffHelperFunc', { x: 2 }) }),
    lean: true,
  },
  'diff-credentials': {
    func: async (services, data, wire) => {
      const { setCredential, getCredential, getCredentials } = wire
      setCredential('api', 'k-1')
      return { ...observe(services, data, wire), api: await getCredential('api'), all: await getCredentials() }
    },
    lean: true,
  },
  'diff-begin-changes': {
    func: async (services, data, wire) => ({ ...observe(services, data, wire), began: await wire.beginChanges() }),
    lean: true,
  },
  'diff-throws-string': {
    func: async () => {
      throw 'a plain string'
    },
    lean: true,
  },
  'diff-retries': {
    func: async (_services, _data, wire) => {
      record(queueOf(wire), `attempt ${wire.queue.attempt}`)
      if (wire.queue.attempt === 1) throw new Error('first attempt fails')
      return 'second attempt'
    },
    options: { attempts: 3, backoff: { type: 'fixed', delay: 10 } },
    lean: true,
  },
  'diff-non-retryable': {
    func: async () => {
      throw new UnprocessableContentError('order 7 does not exist')
    },
    options: { attempts: 3 },
    lean: true,
  },
  'diff-discard': { func: async (_s, _d, wire) => wire.queue.discard('not needed'), lean: true },
  'diff-fail': { func: async (_s, _d, wire) => wire.queue.fail('try later'), options: { attempts: 2, backoff: { type: 'fixed', delay: 10 } }, lean: true },
  'diff-session-required': { func: noop, meta: { sessionless: false }, options: { attempts: 2 }, lean: false },
  'diff-auth-true': { func: noop, funcConfig: { auth: true }, options: { attempts: 2 }, lean: false },
}

class TestSchemaService implements SchemaService {
  private readonly ajv = new Ajv({ useDefaults: false })
  private readonly compiled = new Map<string, ValidateFunction>()
  compileSchema(name: string, schema: unknown): void {
    if (!this.compiled.has(name)) this.compiled.set(name, this.ajv.compile(schema as object))
  }
  validateSchema(name: string, data: unknown): void {
    const validate = this.compiled.get(name)!
    if (!validate(data)) throw new UnprocessableContentError(`Invalid data: ${this.ajv.errorsText(validate.errors)}`)
  }
  getSchemaNames(): Set<string> {
    return new Set(this.compiled.keys())
  }
  getSchemaKeys(): string[] {
    return []
  }
}

function setupFixtures(): MemoryLogger {
  const functionMeta: Record<string, unknown> = {
    diffHelperFunc: { pikkuFuncId: 'diffHelperFunc', sessionless: true, inputSchemaName: null, outputSchemaName: null },
  }
  const queueMeta: Record<string, unknown> = {}
  for (const [name, fixture] of Object.entries(fixtures)) {
    const pikkuFuncId = `${name}Func`
    functionMeta[pikkuFuncId] = { pikkuFuncId, sessionless: true, inputSchemaName: null, outputSchemaName: null, ...fixture.meta }
    queueMeta[name] = { pikkuFuncId, name, middleware: fixture.queueMiddlewareMeta }
  }
  pikkuState(null, 'function', 'meta', functionMeta as any)
  pikkuState(null, 'queue', 'meta', queueMeta as any)
  pikkuState(null, 'function', 'functions').set('diffHelperFunc', { func: async (_services: any, data: any, wire: any) => ({ doubled: data.x * 2, helperWire: wire.wireType ?? null }) } as any)
  addSchema('DiffInput', { type: 'object', properties: { name: { type: 'string' }, greeting: { type: 'string', default: 'hello' } }, required: ['name'] })
  pikkuState(null, 'misc', 'middleware')['named'] = [middleware('named')] as any
  addTagMiddleware('billing', [middleware('tag-parent')] as any)
  addTagMiddleware('billing:invoices', [middleware('tag')] as any)
  addTagMiddleware('fn-tag', [middleware('fn-tag')] as any)
  addGlobalMiddleware([middleware('global')] as any)
  addGlobalPermission((async (_services: any, data: any) => !(data && data.denyGlobal)) as never)
  const shared = (fixtures['diff-order']!.wiring!.middleware as unknown[])[1]
  ;(fixtures['diff-order']!.funcConfig!.middleware as unknown[]).push(shared)
  for (const [name, fixture] of Object.entries(fixtures)) {
    wireQueueWorker({ name, func: { func: fixture.func, ...fixture.funcConfig } as never, ...fixture.wiring } as never)
  }
  pikkuState(null, 'package', 'factories', {
    createWireServices: async (_singletons: any, wire: any) => {
      if (queueOf(wire) !== 'diff-wire-services') return {}
      record(queueOf(wire), 'tx created')
      return { tx: { id: 'tx-1', close: async () => record(queueOf(wire), 'tx closed') } }
    },
  } as any)
  const logger = new MemoryLogger()
  const variables = new LocalVariablesService({ KEY: 'value' })
  setSingletonServices({ config: {}, logger, variables, secrets: new LocalSecretService(variables), schema: new TestSchemaService() } as any)
  return logger
}

interface Outcome {
  state: string
  result: unknown
  failedReason: string | undefined
  attemptsMade: number
  error: string | undefined
  effects: string[]
}

async function runAll(path: Path): Promise<Record<string, Outcome>> {
  currentPath = path
  const failures = new Map<string, string>()
  const factory = new BullServiceFactory({ redisUrl: REDIS_URL, prefix: prefixes.next(`lean-${path}`), logger: new MemoryLogger(), leanAttempts: path === 'lean' })
  try {
    const workers = factory.getQueueWorkers()
    await workers.registerQueues()
    for (const name of Object.keys(fixtures)) {
      workers.getWorker(name)!.on('failed', (job, error) => {
        const cause = error.cause instanceof Error ? ` cause ${error.cause.constructor.name}: ${error.cause.message}` : ''
        failures.set(`${name}:${job?.attemptsMade}`, `${error.constructor.name} ${error.name}: ${error.message}${cause}`)
      })
    }
    const outcomes: Record<string, Outcome> = {}
    const queueService = factory.getQueueService()
    await Promise.all(
      Object.entries(fixtures).map(async ([name, fixture]) => {
        const id = await queueService.add(name, (fixture.data ?? {}) as never, fixture.options as never)
        const job = await waitFor(async () => {
          // finishedOn is set once the job completed or failed for good, in the same write as its outcome.
          const current = await queueService.getQueue(name).getJob(id)
          return current?.finishedOn ? current : undefined
        }, `job of ${name} (${path})`, 10_000)
        outcomes[name] = {
          state: await job.getState(),
          result: job.returnvalue,
          failedReason: job.failedReason || undefined,
          attemptsMade: job.attemptsMade,
          error: failures.get(`${name}:${job.attemptsMade}`),
          effects: effects.get(`${name}:${path}`) ?? [],
        }
      }),
    )
    return outcomes
  } finally {
    await factory.close()
  }
}

let core: Record<string, Outcome>
let lean: Record<string, Outcome>
before(async () => {
  setupFixtures()
  core = await runAll('core')
  lean = await runAll('lean')
})

for (const [name, fixture] of Object.entries(fixtures)) {
  test(`${name}: the ${fixture.lean ? 'lean' : 'core'} path ends as core's does`, () => {
    assert.deepEqual(lean[name], core[name])
    assert.equal(sawLeanWire.get(`${name}:core`), false, 'core’s run used core’s wire')
    assert.equal(sawLeanWire.get(`${name}:lean`), fixture.lean, fixture.lean ? 'the lean path ran it' : 'it took core’s path')
  })
}

test('the fixtures cover what they claim: results, refusals and side effects as core gives them', () => {
  assert.deepEqual(core['diff-order']!.effects.filter((effect) => !effect.startsWith('<')).map((effect) => effect.split('>')[0]), ['high', 'global', 'tag', 'tag-parent', 'named', 'wire', 'shared', 'fn-tag', 'func', 'lowest'])
  assert.match(core['diff-plain']!.effects[0]!, /^global> rpc:undefined beginChanges:undefined secrets:object$/)
  assert.deepEqual(pick(core['diff-plain']!.result, ['wireType', 'wireId', 'functionId', 'traceIdMatches', 'rpc', 'beginChanges']), { wireType: 'queue', wireId: 'diff-plain', functionId: 'diff-plainFunc', traceIdMatches: true, rpc: 'object', beginChanges: 'function' })
  assert.equal(pick(core['diff-readonly']!.result, ['beginChanges']).beginChanges, 'undefined')
  assert.deepEqual(core['diff-permission-passes']!.effects.slice(1, 3), ['denied?', 'owner? {"owner":"ada"} logger:object'])
  for (const name of ['diff-permission-refuses', 'diff-global-permission-refuses']) {
    assert.deepEqual([core[name]!.state, core[name]!.attemptsMade, core[name]!.failedReason], ['failed', 1, 'Permission denied'], name)
  }
  assert.match(core['diff-scopes']!.failedReason!, /admin/)
  assert.deepEqual((core['diff-json-schema-defaults']!.result as any).data, { name: 'ada', greeting: 'hello' })
  assert.deepEqual([core['diff-json-schema-refuses']!.state, core['diff-json-schema-refuses']!.attemptsMade], ['failed', 1])
  assert.deepEqual(pick(core['diff-standard-schema']!.result, ['data', 'parsed']), { data: { text: '  hi  ', trimmed: 'hi' }, parsed: true })
  assert.deepEqual(core['diff-wire-services']!.effects.filter((effect) => effect.startsWith('tx')), ['tx created', 'tx closed'])
  assert.equal((core['diff-wire-services']!.result as any).tx, 'tx-1')
  assert.match(core['diff-secrets-in-function']!.failedReason!, /'secrets' is not available inside a pikku function/)
  assert.match(core['diff-secrets-in-permission']!.failedReason!, /'secrets' is not available inside a permission/)
  assert.deepEqual((core['diff-rpc']!.result as any).helper, { doubled: 4, helperWire: 'queue' })
  assert.deepEqual(pick(core['diff-credentials']!.result, ['api', 'all']), { api: 'k-1', all: { api: 'k-1' } })
  assert.deepEqual([core['diff-retries']!.state, core['diff-retries']!.result, core['diff-retries']!.attemptsMade], ['completed', 'second attempt', 2])
  assert.deepEqual([core['diff-non-retryable']!.attemptsMade, core['diff-non-retryable']!.error], [1, 'UnrecoverableError UnrecoverableError: order 7 does not exist cause UnprocessableContentError: order 7 does not exist'])
  assert.equal(core['diff-throws-string']!.failedReason, 'a plain string')
  assert.deepEqual([core['diff-discard']!.state, core['diff-fail']!.state, core['diff-fail']!.attemptsMade], ['completed', 'failed', 2])
  assert.match(core['diff-session-required']!.failedReason!, /Authentication required/)
})

function pick(value: unknown, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, (value as Record<string, unknown>)[key]]))
}
