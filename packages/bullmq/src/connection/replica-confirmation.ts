import { Cluster, type Redis } from 'ioredis'
import type { RedisClient } from './redis-client-builder.js'

export interface ReplicaConfirmationOptions {
  /** Replicas that must have a write (Redis WAIT). */
  replicaAcks: number
  /** WAIT's own timeout. */
  timeoutMs: number
  /** A key under the app's prefix: on a Cluster, its slot's master is where the writes go. */
  slotKey: string
}

/** The connection writes to the app's keys go over, and how many of its connections had closed then. */
export interface WriteConnection {
  node: Redis
  generation: number
}

/**
 * Asks Redis (WAIT) whether replicas have the writes a connection sent. WAIT speaks only for its own
 * connection's writes, so it goes to the node that took them: the client itself, or on a Cluster the
 * master of the app's slot (all of the app's keys share it, through the prefix's hash tag). A
 * connection that changed between the write and the WAIT proves nothing, so callers compare the
 * {@link WriteConnection} before and after.
 */
export class ReplicaConfirmation {
  private readonly generations = new WeakMap<Redis, number>()
  /** Per node, the WAIT Redis is running and the one that follows it for writes that finished meanwhile. */
  private readonly waits = new WeakMap<Redis, { inFlight?: Promise<number>; queued?: Promise<number> }>()
  private slot: number | undefined

  constructor(
    private readonly client: RedisClient,
    private readonly options: ReplicaConfirmationOptions,
  ) {}

  async writeConnection(): Promise<WriteConnection> {
    const node = this.client instanceof Cluster ? await this.slotMaster(this.client) : this.client
    return { node, generation: this.generationOf(node) }
  }

  /** How many replicas have every write `before.node` sent so far, and whether that is still the write connection. */
  async confirm(before: WriteConnection): Promise<{ confirmed: number; sameConnection: boolean }> {
    const confirmed = await this.sharedWait(before.node)
    const after = await this.writeConnection()
    return { confirmed, sameConnection: after.node === before.node && after.generation === before.generation }
  }

  /**
   * A WAIT blocks its connection, which all producers share, until it returns: one per write would
   * queue them, each up to `timeoutMs` behind the last while a replica lags. One WAIT speaks for every
   * write sent before it, so writes that finish while one runs share the next.
   */
  private sharedWait(node: Redis): Promise<number> {
    let state = this.waits.get(node)
    if (!state) this.waits.set(node, (state = {}))
    if (!state.inFlight) return this.sendWait(node, state)
    const current = state
    current.queued ??= current.inFlight!.catch(() => 0).then(() => {
      current.queued = undefined
      return this.sendWait(node, current)
    })
    return current.queued
  }

  private sendWait(node: Redis, state: { inFlight?: Promise<number> }): Promise<number> {
    const wait = (node.wait(this.options.replicaAcks, this.options.timeoutMs) as Promise<number>).finally(() => {
      if (state.inFlight === wait) state.inFlight = undefined
    })
    state.inFlight = wait
    return wait
  }

  private generationOf(node: Redis): number {
    const known = this.generations.get(node)
    if (known !== undefined) return known
    this.generations.set(node, 0)
    // Counted on close, not on ready: a Cluster connects to a node on its first command, and that first
    // connection is the one the write goes over.
    node.on('close', () => this.generations.set(node, (this.generations.get(node) ?? 0) + 1))
    return 0
  }

  private async slotMaster(cluster: Cluster): Promise<Redis> {
    this.slot ??= Number(await cluster.call('CLUSTER', 'KEYSLOT', this.options.slotKey))
    const owner = cluster.slots[this.slot]?.[0]
    const node = owner && cluster.nodes('master').find(({ options }) => `${options.host}:${options.port}` === owner)
    if (!node) throw new Error(`no master of the Cluster owns the slot of '${this.options.slotKey}' now`)
    return node
  }
}
