import { rpcService } from '@pikku/core/rpc'
import { PikkuCredentialWireService } from '@pikku/core/services'
import { INPUT_PARSED } from '../input-validation.js'
import type { QueueWire } from '../queue-wire.js'

type Services = Record<string, any>
type RpcView = Record<string, unknown>

/** Passed to every rpc view, so none is made per call. */
const RPC_OPTIONS = { sessionService: undefined }

/**
 * The wire of one attempt on the lean path, with the own fields core's runner leaves on the wire it
 * is given: wire type and id, function id, the credential methods, then `beginChanges` and `rpc`
 * once the middleware has handed over to the function. Own fields, because core copies a wire with
 * `{ ...wire }` for each `wire.rpc` call. What core makes eagerly is made here on first use: the
 * credential service on the first credential call, the rpc view on the first read of a member of
 * `wire.rpc` (see {@link LazyRpc}).
 */
export class LeanWire {
  readonly traceId: string
  queue: QueueWire | undefined
  readonly wireType = 'queue'
  readonly wireId: string
  readonly functionId: string
  readonly audit = undefined
  /** Set when the function is about to run, and only for functions that are not `readonly`, as core does. */
  beginChanges: (() => Promise<void>) | undefined
  /** Set when the function is about to run, as core does. */
  rpc: LazyRpc | undefined
  readonly #credentialService: unknown
  #credentialWire: PikkuCredentialWireService | undefined

  constructor(traceId: string, queue: QueueWire | undefined, inputParsed: boolean, queueName: string, functionId: string, credentialService: unknown) {
    this.traceId = traceId
    this.queue = queue
    if (inputParsed) (this as { [INPUT_PARSED]?: true })[INPUT_PARSED] = true
    this.wireId = queueName
    this.functionId = functionId
    this.#credentialService = credentialService
  }

  readonly setCredential = (name: string, value: unknown): void => this.#credentials().set(name, value)
  readonly getCredential = (name: string): unknown => this.#credentials().get(name)
  readonly getCredentials = (): unknown => this.#credentials().getAll()

  /** Makes `wire.rpc`, calling functions with `services` (the singletons and the attempt's wire services). */
  enableRpc(services: Services): void {
    this.rpc = new LazyRpc(services, this)
  }

  #credentials(): PikkuCredentialWireService {
    this.#credentialWire ??= new PikkuCredentialWireService(this.#credentialService as never, this as never)
    return this.#credentialWire
  }
}

/** The members of core's rpc view (0.12.84's ContextRPCView). */
const RPC_MEMBERS = ['invoke', 'remote', 'exposed', 'startWorkflow', 'rpcWithWire', 'agent', 'depth', 'global'] as const

/**
 * `wire.rpc` as core's rpc view, made on the first read of one of its members: core builds the view
 * with five bound functions, which most jobs never call. Each member is a getter returning the
 * view's own, so destructuring (`const { invoke } = wire.rpc`) gets core's bound function.
 */
export class LazyRpc {
  #view: RpcView | undefined

  constructor(
    private readonly services: Services,
    private readonly wire: LeanWire,
  ) {}

  /** Core's view, made once. */
  view(): RpcView {
    this.#view ??= rpcService.getContextRPCService(this.services as never, this.wire as never, RPC_OPTIONS, 0, null) as unknown as RpcView
    return this.#view
  }
}

for (const member of RPC_MEMBERS) {
  Object.defineProperty(LazyRpc.prototype, member, {
    get(this: LazyRpc) {
      return this.view()[member]
    },
    configurable: true,
  })
}
