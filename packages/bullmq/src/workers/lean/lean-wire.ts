import { rpcService } from '@pikku/core/rpc'
import { PikkuCredentialWireService } from '@pikku/core/services'
import { INPUT_PARSED } from '../input-validation.js'
import type { QueueWire } from '../queue-wire.js'

type Services = Record<string, any>

/** Passed to every rpc view, so none is made per call. */
const RPC_OPTIONS = { sessionService: undefined }

/** The descriptors of LeanWire's lazy own properties, made once by its static block. */
let LAZY_PROPERTIES: PropertyDescriptorMap

/**
 * The wire of one attempt on the lean path, with the own fields core's runner leaves on the wire it
 * is given: wire type and id, function id, the credential methods, then `beginChanges` and `rpc`
 * once the middleware has handed over to the function. Own properties, because core copies a wire
 * with `{ ...wire }` for each `wire.rpc` call; the lazy ones (`rpc` and the credential methods) are
 * accessors whose getters and descriptors are shared by every instance, so V8 keeps one shape for
 * them all and nothing is made until a function reads one.
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
  declare rpc: unknown
  declare setCredential: (name: string, value: unknown) => void
  declare getCredential: (name: string) => unknown
  declare getCredentials: () => unknown
  readonly #credentialService: unknown
  #credentialWire: PikkuCredentialWireService | undefined
  /** What `wire.rpc` calls other functions with; undefined until the function is about to run, as in core. */
  #rpcServices: Services | undefined
  #rpc: unknown

  constructor(traceId: string, queue: QueueWire | undefined, inputParsed: boolean, queueName: string, functionId: string, credentialService: unknown) {
    this.traceId = traceId
    this.queue = queue
    if (inputParsed) (this as { [INPUT_PARSED]?: true })[INPUT_PARSED] = true
    this.wireId = queueName
    this.functionId = functionId
    this.#credentialService = credentialService
    Object.defineProperties(this, LAZY_PROPERTIES)
  }

  /** Makes `wire.rpc` available, calling functions with `services` (the singletons and the attempt's wire services). */
  enableRpc(services: Services): void {
    this.#rpcServices = services
  }

  static {
    const credentials = (wire: LeanWire): PikkuCredentialWireService =>
      (wire.#credentialWire ??= new PikkuCredentialWireService(wire.#credentialService as never, wire as never))
    const lazy = (name: string, get: (wire: LeanWire) => unknown, set?: (wire: LeanWire, value: unknown) => void): PropertyDescriptor => ({
      get(this: LeanWire) {
        return get(this)
      },
      set(this: LeanWire, value: unknown) {
        // Assigning replaces the method, as it would core's own property.
        if (set) set(this, value)
        else Object.defineProperty(this, name, { value, writable: true, enumerable: true, configurable: true })
      },
      enumerable: true,
      configurable: true,
    })
    LAZY_PROPERTIES = {
      rpc: lazy(
        'rpc',
        (wire) => {
          if (wire.#rpc === undefined && wire.#rpcServices) wire.#rpc = rpcService.getContextRPCService(wire.#rpcServices as never, wire as never, RPC_OPTIONS, 0, null)
          return wire.#rpc
        },
        (wire, value) => {
          wire.#rpc = value
        },
      ),
      setCredential: lazy('setCredential', (wire) => (name: string, value: unknown) => credentials(wire).set(name, value)),
      getCredential: lazy('getCredential', (wire) => (name: string) => credentials(wire).get(name)),
      getCredentials: lazy('getCredentials', (wire) => () => credentials(wire).getAll()),
    }
  }
}
