import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import { findFreePort } from './free-port.js'

const LOG_LIMIT = 64 * 1024

/**
 * One redis-server process (a data node or a sentinel) of a test's own. Its output is drained all
 * the time (a full pipe would stall the server) and its tail is kept for error messages.
 * Shared with own-redis-sentinel.ts.
 */
export class RedisProcess {
  private log = ''
  private readonly child: ChildProcess
  private readonly exited: Promise<void>
  private readonly started: Promise<void>

  /** `readyLine` is what the server prints once it listens; sentinels never print the data node's. */
  constructor(
    readonly name: string,
    args: string[],
    readyLine = 'Ready to accept connections',
  ) {
    const child = spawn('redis-server', [...args, '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] })
    this.child = child
    this.exited = new Promise((resolve) => {
      child.once('exit', () => resolve())
      // e.g. ENOENT: no 'exit' follows, so this settles the process as gone too.
      child.once('error', (error) => {
        this.log += `\n${error}`
        resolve()
      })
    })
    this.started = new Promise((resolve, reject) => {
      const keep = (chunk: Buffer) => {
        this.log = (this.log + chunk).slice(-LOG_LIMIT)
        if (this.log.includes(readyLine)) resolve()
      }
      child.stdout!.on('data', keep)
      child.stderr!.on('data', keep)
      void this.exited.then(() => reject(new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${this.tail()}`)))
    })
    // Nobody may be waiting for readiness when a process dies later; that is not an error by itself.
    this.started.catch(() => {})
  }

  get running(): boolean {
    return this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null
  }

  async ready(timeoutMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.tail()}`)), timeoutMs)
    })
    try {
      await Promise.race([this.started, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** SIGKILL by default: a crash, with no AOF flush and no goodbye to the cluster or the sentinels. */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.running) this.child.kill(signal)
    await this.exited
  }

  tail(lines = 40): string {
    return `--- ${this.name} ---\n${this.log.split('\n').slice(-lines).join('\n')}`
  }
}

/**
 * Runs `fn` with a single-node client of 127.0.0.1:port and disconnects it afterwards. No reconnects
 * and no offline queue, so a dead node fails the call at once instead of stalling a poll.
 * Shared with own-redis-sentinel.ts.
 */
export async function withRedis<T>(port: number, fn: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
    commandTimeout: 2000,
  })
  // The failed call already carries the error; without a listener ioredis also prints it.
  client.on('error', () => {})
  try {
    await client.connect()
    return await fn(client)
  } finally {
    client.disconnect()
  }
}

/**
 * Calls `check` every 200 ms until it returns instead of throwing; its last error says what was
 * still missing when `timeoutMs` ran out. `logs` adds the servers' output to that error.
 * Shared with own-redis-sentinel.ts.
 */
export async function pollUntil<T>(what: string, timeoutMs: number, check: () => Promise<T>, logs: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what}: not reached after ${timeoutMs} ms; last check: ${(error as Error).message}\n${logs()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** `count` distinct free ports of 127.0.0.1 (two calls of findFreePort may return the same one). */
export async function findFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>()
  while (ports.size < count) ports.add(await findFreePort())
  return [...ports]
}

export interface OwnRedisClusterOptions {
  /** Default: 3, the fewest `redis-cli --cluster create` accepts. */
  masters?: number
  /** Default: 1. */
  replicasPerMaster?: number
  /** `cluster-node-timeout`: how long a silent node takes to be failed over. Default: 2000. */
  nodeTimeoutMs?: number
}

interface ClusterNode {
  id: string
  port: number
  flags: string[]
  masterId: string
  slots: string[]
}

/** One line of CLUSTER NODES: `id ip:port@bus flags master-id ping pong epoch link slot…`. */
function parseClusterNodes(text: string): ClusterNode[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id, address, flags, masterId, , , , , ...slots] = line.split(' ')
      return { id, port: Number(address.split('@')[0].split(':')[1]), flags: flags.split(','), masterId, slots }
    })
}

/**
 * A Redis Cluster of the test's own on free ports of 127.0.0.1 (by default 3 masters with one
 * replica each), for tests that kill a master and watch its slots fail over to the replica.
 * Every node has a folder of its own under one temp folder, which lives until `destroy()`.
 */
export class OwnRedisCluster {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'own-redis-cluster-'))
  /** Every node's port, in the order given to `redis-cli --cluster create`. */
  ports: number[] = []
  private readonly busPorts = new Map<number, number>()
  private readonly nodes = new Map<number, RedisProcess>()
  private readonly masters: number
  private readonly replicasPerMaster: number
  private readonly nodeTimeoutMs: number

  constructor(options: OwnRedisClusterOptions = {}) {
    this.masters = options.masters ?? 3
    this.replicasPerMaster = options.replicasPerMaster ?? 1
    this.nodeTimeoutMs = options.nodeTimeoutMs ?? 2000
  }

  /** Every node as a seed, so a client can still find the cluster with any one of them dead. */
  get url(): string {
    return `redis+cluster://${this.ports.map((port) => `127.0.0.1:${port}`).join(',')}`
  }

  /** Starts the nodes, creates the cluster and waits until it is healthy. On failure nothing is left running. */
  async start(): Promise<void> {
    try {
      const count = this.masters * (1 + this.replicasPerMaster)
      // The bus port defaults to port + 10000, which is past 65535 for much of the ephemeral range.
      const free = await findFreePorts(count * 2)
      this.ports = free.slice(0, count)
      this.ports.forEach((port, i) => this.busPorts.set(port, free[count + i]))
      await Promise.all(this.ports.map((port) => this.spawnNode(port)))
      const create = ['--cluster', 'create', ...this.ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', String(this.replicasPerMaster), '--cluster-yes']
      await promisify(execFile)('redis-cli', create, { timeout: 30_000 }).catch((error: Error & { stdout?: string; stderr?: string }) => {
        throw new Error(`redis-cli --cluster create failed: ${error.message}\n${error.stdout}${error.stderr}\n${this.logs()}`)
      })
      await this.waitForHealthy()
    } catch (error) {
      await this.destroy()
      throw error
    }
  }

  /**
   * Waits until every running node says `cluster_state:ok`, sees all nodes with none failing, and
   * the configured number of masters each have all their replicas attached and in sync.
   * After `restart()` of a failed-over master this is how to wait for it to be a replica again.
   */
  async waitForHealthy(timeoutMs = 20_000): Promise<void> {
    const stopped = this.ports.filter((port) => !this.nodes.get(port)?.running)
    if (!this.ports.length || stopped.length) {
      throw new Error(`cluster cannot become healthy, nodes not running: ${stopped.length ? stopped : 'all'}`)
    }
    await pollUntil('cluster healthy', timeoutMs, async () => {
      for (const port of this.runningPorts()) {
        await withRedis(port, async (client) => {
          const info = String(await client.call('CLUSTER', 'INFO'))
          if (!info.includes('cluster_state:ok')) throw new Error(`${port}: ${info.split('\r\n')[0]}`)
          const nodes = parseClusterNodes(String(await client.call('CLUSTER', 'NODES')))
          if (nodes.length !== this.ports.length) throw new Error(`${port} knows ${nodes.length} of ${this.ports.length} nodes`)
          const unwell = nodes.filter((node) => node.flags.some((flag) => ['fail', 'fail?', 'handshake', 'noaddr'].includes(flag)))
          if (unwell.length) throw new Error(`${port} sees ${unwell.map((node) => `${node.port} ${node.flags}`).join(', ')}`)
          const masters = nodes.filter((node) => node.flags.includes('master') && node.slots.length > 0)
          if (masters.length !== this.masters) throw new Error(`${port} sees ${masters.length} masters with slots`)
          for (const master of masters) {
            const replicas = nodes.filter((node) => node.masterId === master.id).length
            if (replicas !== this.replicasPerMaster) throw new Error(`${port} sees ${replicas} replicas of ${master.port}`)
          }
          // Gossip says who replicates whom; ROLE says the replication link is actually up.
          const role = (await client.call('ROLE')) as unknown[]
          if (role[0] === 'slave' && role[3] !== 'connected') throw new Error(`replica ${port} link to ${role[2]}: ${role[3]}`)
        })
      }
    }, () => this.logs())
  }

  /** Port of the master that owns the hash slot of `key`, as a running node sees it. */
  async ownerOf(key: string): Promise<number> {
    const [port] = this.runningPorts()
    if (port === undefined) throw new Error('no cluster node is running')
    return withRedis(port, async (client) => {
      const slot = Number(await client.call('CLUSTER', 'KEYSLOT', key))
      return ownerInSlots((await client.call('CLUSTER', 'SLOTS')) as SlotRange[], slot, port)
    })
  }

  /** kill -9 of that node: a crash, with no failover handed over by the node itself. */
  async kill(port: number): Promise<void> {
    await this.node(port).stop('SIGKILL')
  }

  /**
   * Starts a killed node again from its own folder: same nodes.conf (so the same node id) and its AOF.
   * A master that was failed over meanwhile rejoins as a replica of its successor; `waitForHealthy()`
   * waits for that.
   */
  async restart(port: number): Promise<void> {
    if (this.node(port).running) throw new Error(`node ${port} is still running`)
    await this.spawnNode(port)
  }

  /**
   * Polls until every running node says `cluster_state:ok` and agrees that the slot of `key` is
   * owned by a running master other than `deadPort`. `ms` counts from this call, so call it right
   * after `kill()`.
   */
  async waitForFailover(deadPort: number, key: string, timeoutMs = 30_000): Promise<{ newOwner: number; ms: number }> {
    const started = Date.now()
    const newOwner = await pollUntil(`failover of ${key} away from ${deadPort}`, timeoutMs, async () => {
      const owners = new Set<number>()
      for (const port of this.runningPorts()) {
        await withRedis(port, async (client) => {
          const info = String(await client.call('CLUSTER', 'INFO'))
          if (!info.includes('cluster_state:ok')) throw new Error(`${port}: ${info.split('\r\n')[0]}`)
          const slot = Number(await client.call('CLUSTER', 'KEYSLOT', key))
          owners.add(ownerInSlots((await client.call('CLUSTER', 'SLOTS')) as SlotRange[], slot, port))
        })
      }
      const [owner, ...others] = owners
      if (others.length) throw new Error(`nodes disagree about the owner: ${[...owners]}`)
      if (owner === deadPort || !this.nodes.get(owner)?.running) throw new Error(`owner is still ${owner}`)
      const role = await withRedis(owner, async (client) => ((await client.call('ROLE')) as unknown[])[0])
      if (role !== 'master') throw new Error(`owner ${owner} answers ROLE ${role}`)
      return owner
    }, () => this.logs())
    return { newOwner, ms: Date.now() - started }
  }

  /** Polls until `replica` is a replica of `master` with its link up and its full sync done. */
  async waitForReplicaLink(master: number, replica: number, timeoutMs = 60_000): Promise<void> {
    await pollUntil(`node ${replica} to replicate node ${master}`, timeoutMs, async () => {
      const info = await withRedis(master, async (client) => String(await client.info('replication')))
      if (!new RegExp(`^slave\\d+:ip=127\\.0\\.0\\.1,port=${replica},state=online`, 'm').test(info)) {
        throw new Error(`master ${master} replication: ${info.replace(/\r\n/g, ' ')}`)
      }
    }, () => this.logs())
  }

  /** Kills every node and removes the folder. Safe to call twice, and after a failed `start()`. */
  async destroy(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((node) => node.stop('SIGKILL')))
    rmSync(this.dir, { recursive: true, force: true })
  }

  private async spawnNode(port: number): Promise<void> {
    const dir = path.join(this.dir, `node-${port}`)
    mkdirSync(dir, { recursive: true })
    // A folder per node: a replica's full sync writes dump.rdb and the AOF lives in appendonlydir/,
    // both fixed names in `--dir` that nodes sharing one folder would overwrite.
    // AOF with fsync every second: restart() brings a killed node back with its data, and losing its
    // last second of writes is what a real crash does; the copy that must survive is the replica's.
    // `always` would fsync every write of six nodes on one disk for no gain here.
    // No diskless-sync delay: by default a master waits 5 s for more replicas before a full sync.
    const args = [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--cluster-enabled', 'yes',
      '--cluster-port', String(this.busPorts.get(port)),
      '--cluster-config-file', path.join(dir, 'nodes.conf'),
      '--cluster-node-timeout', String(this.nodeTimeoutMs),
      '--save', '',
      '--appendonly', 'yes',
      '--appendfsync', 'everysec',
      '--maxmemory-policy', 'noeviction',
      '--repl-diskless-sync-delay', '0',
      '--dir', dir,
    ]
    const node = new RedisProcess(`cluster node ${port}`, args)
    // Registered before it is ready, so destroy() also reaches a node whose start failed.
    this.nodes.set(port, node)
    await node.ready()
  }

  private node(port: number): RedisProcess {
    const node = this.nodes.get(port)
    if (!node) throw new Error(`no cluster node on port ${port}`)
    return node
  }

  private runningPorts(): number[] {
    return this.ports.filter((port) => this.nodes.get(port)?.running)
  }

  private logs(): string {
    return [...this.nodes.values()].map((node) => node.tail()).join('\n')
  }
}

/** One entry of CLUSTER SLOTS: first slot, last slot, then [ip, port, id] of the master and its replicas. */
type SlotRange = [number, number, [string, number, string], ...unknown[]]

function ownerInSlots(ranges: SlotRange[], slot: number, askedPort: number): number {
  const range = ranges.find(([first, last]) => first <= slot && slot <= last)
  if (!range) throw new Error(`${askedPort} knows no owner of slot ${slot}`)
  return range[2][1]
}
