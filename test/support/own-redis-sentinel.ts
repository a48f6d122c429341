import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { findFreePorts, pollUntil, RedisProcess, withRedis } from './own-redis-cluster.js'

export interface OwnRedisSentinelOptions {
  /** The name clients ask the sentinels for. Default: 'mymaster'. */
  masterName?: string
  /** `sentinel down-after-milliseconds`: how long a silent master takes to count as down. Default: 2000. */
  downAfterMs?: number
  /** `sentinel failover-timeout`; a failed failover is retried only after twice this. Default: 6000. */
  failoverTimeoutMs?: number
  /** Replicas of the master. With two, a failover leaves the new master a replica at once. Default: 1. */
  replicas?: number
}

/** SENTINEL REPLICAS / SENTINELS answer each entry as a flat [field, value, …] list. */
function entries(reply: unknown): Record<string, string>[] {
  return (reply as string[][]).map((flat) => Object.fromEntries(flat.flatMap((_, i) => (i % 2 ? [] : [[flat[i], flat[i + 1]]]))))
}

/**
 * A Redis Sentinel set-up of the test's own on free ports of 127.0.0.1: a master, its replicas and
 * three sentinels with a quorum of two, for tests that kill the master and watch a replica be
 * promoted. The folder (data nodes' AOFs, the sentinels' config files, which they rewrite) lives
 * until `destroy()`.
 */
export class OwnRedisSentinel {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'own-redis-sentinel-'))
  /** The master's and the replicas' ports, in that order, as started; which one is master changes. */
  dataPorts: number[] = []
  sentinelPorts: number[] = []
  readonly masterName: string
  private readonly downAfterMs: number
  private readonly failoverTimeoutMs: number
  private readonly replicas: number
  private readonly processes = new Map<number, RedisProcess>()

  constructor(options: OwnRedisSentinelOptions = {}) {
    this.masterName = options.masterName ?? 'mymaster'
    this.downAfterMs = options.downAfterMs ?? 2000
    this.failoverTimeoutMs = options.failoverTimeoutMs ?? 6000
    this.replicas = options.replicas ?? 1
  }

  get url(): string {
    return `redis+sentinel://${this.sentinelPorts.map((port) => `127.0.0.1:${port}`).join(',')}/${this.masterName}`
  }

  /** Starts the data nodes and the sentinels and waits until they all know each other. On failure nothing is left running. */
  async start(): Promise<void> {
    try {
      const ports = await findFreePorts(1 + this.replicas + 3)
      this.dataPorts = ports.slice(0, 1 + this.replicas)
      this.sentinelPorts = ports.slice(1 + this.replicas)
      const [master, ...replicas] = this.dataPorts as [number, ...number[]]
      for (const port of this.dataPorts) await this.spawnDataNode(port)
      await Promise.all(this.sentinelPorts.map((port) => this.spawnSentinel(port, master)))
      await this.waitForAcquainted(master, replicas)
    } catch (error) {
      await this.destroy()
      throw error
    }
  }

  /** The master's port, from the first running sentinel that answers. */
  async masterPort(): Promise<number> {
    let lastError: unknown
    for (const port of this.running(this.sentinelPorts)) {
      try {
        return await this.masterSeenBy(port)
      } catch (error) {
        lastError = error
      }
    }
    throw new Error(`no sentinel told the master's address: ${lastError}`)
  }

  /** kill -9 of the current master; returns its port. */
  async killMaster(): Promise<number> {
    const port = await this.masterPort()
    await this.dataNode(port).stop('SIGKILL')
    return port
  }

  /**
   * Starts a killed data node again with its original arguments and AOF. The original replica still
   * has `--replicaof` the original master and the original master none, whatever happened since;
   * that is fine, since the sentinels reconfigure a returning node to replicate the current master
   * when they next read its INFO (every 10 s; about 11 s seen). Until then a restarted original
   * master answers as a master and accepts writes that will be lost.
   */
  async restart(port: number): Promise<void> {
    if (this.dataNode(port).running) throw new Error(`data node ${port} is still running`)
    await this.spawnDataNode(port)
  }

  /**
   * A failover on demand: the master stays up and becomes a replica of the promoted one, but only
   * when a sentinel next reads its INFO (every 10 s): for about 11 s after `waitForNewMaster()`
   * returns, the old master still answers ROLE as master and takes writes that will be discarded.
   */
  async failover(): Promise<void> {
    const [port] = this.running(this.sentinelPorts)
    if (port === undefined) throw new Error('no sentinel is running')
    await withRedis(port, (client) => client.call('SENTINEL', 'FAILOVER', this.masterName))
  }

  /**
   * Polls until every running sentinel names the same master other than `oldPort`, and that node
   * answers ROLE as master. `ms` counts from this call, so call it right after the kill or failover.
   */
  async waitForNewMaster(oldPort: number, timeoutMs = 30_000): Promise<{ newMaster: number; ms: number }> {
    const started = Date.now()
    const newMaster = await pollUntil(`a master other than ${oldPort}`, timeoutMs, async () => {
      const seen = new Set<number>()
      for (const port of this.running(this.sentinelPorts)) seen.add(await this.masterSeenBy(port))
      const [master, ...others] = seen
      if (others.length) throw new Error(`sentinels disagree: ${[...seen]}`)
      if (master === oldPort) throw new Error(`sentinels still name ${oldPort}`)
      const role = await withRedis(master, async (client) => ((await client.call('ROLE')) as unknown[])[0])
      if (role !== 'master') throw new Error(`${master} answers ROLE ${role}`)
      return master
    }, () => this.logs())
    return { newMaster, ms: Date.now() - started }
  }

  /** Kills every process and removes the folder. Safe to call twice, and after a failed `start()`. */
  async destroy(): Promise<void> {
    await Promise.all([...this.processes.values()].map((node) => node.stop('SIGKILL')))
    rmSync(this.dir, { recursive: true, force: true })
  }

  /**
   * Each sentinel must name the master, see every replica as a healthy slave with its link up (it
   * learns of it from the master's INFO) and know both other sentinels (from hello messages, every
   * 2 s); before that a failover cannot reach its quorum or has nothing to promote.
   */
  private async waitForAcquainted(master: number, replicas: number[]): Promise<void> {
    await pollUntil('sentinels acquainted', 20_000, async () => {
      for (const port of this.sentinelPorts) {
        const seen = await this.masterSeenBy(port)
        if (seen !== master) throw new Error(`sentinel ${port} names master ${seen}`)
        await withRedis(port, async (client) => {
          const seenReplicas = entries(await client.call('SENTINEL', 'REPLICAS', this.masterName))
          for (const replica of replicas) {
            const known = seenReplicas.find((entry) => Number(entry.port) === replica)
            if (!known) throw new Error(`sentinel ${port} does not know replica ${replica}`)
            const flags = known.flags!.split(',')
            if (!flags.includes('slave') || flags.includes('s_down') || flags.includes('disconnected') || known['master-link-status'] !== 'ok') {
              throw new Error(`sentinel ${port} sees replica ${replica} as ${known.flags}, link ${known['master-link-status']}`)
            }
          }
          const sentinels = entries(await client.call('SENTINEL', 'SENTINELS', this.masterName))
          if (sentinels.length !== this.sentinelPorts.length - 1) throw new Error(`sentinel ${port} knows ${sentinels.length} other sentinels`)
        })
      }
    }, () => this.logs())
  }

  private async masterSeenBy(sentinelPort: number): Promise<number> {
    const address = await withRedis(sentinelPort, (client) => client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.masterName))
    if (!Array.isArray(address)) throw new Error(`sentinel ${sentinelPort} knows no master ${this.masterName}`)
    return Number(address[1])
  }

  private async spawnDataNode(port: number): Promise<void> {
    const [master] = this.dataPorts
    const dir = path.join(this.dir, `node-${port}`)
    mkdirSync(dir, { recursive: true })
    // A folder per node, as their dump.rdb and appendonlydir/ have fixed names. AOF with fsync every
    // second: restart() brings a node back with its data, losing at most its last second, like a crash.
    // No diskless-sync delay: by default a master waits 5 s for more replicas before a full sync.
    const args = [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--save', '',
      '--appendonly', 'yes',
      '--appendfsync', 'everysec',
      '--maxmemory-policy', 'noeviction',
      '--repl-diskless-sync-delay', '0',
    ]
    if (port !== master) args.push('--replicaof', '127.0.0.1', String(master))
    await this.spawn(new RedisProcess(`data node ${port}`, args), port)
  }

  private async spawnSentinel(port: number, master: number): Promise<void> {
    const file = path.join(this.dir, `sentinel-${port}.conf`)
    const name = this.masterName
    // Sentinels need a writable file of their own: they record what they learn in it.
    writeFileSync(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${master} 2`,
        `sentinel down-after-milliseconds ${name} ${this.downAfterMs}`,
        `sentinel failover-timeout ${name} ${this.failoverTimeoutMs}`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    )
    await this.spawn(new RedisProcess(`sentinel ${port}`, [file, '--sentinel'], '+monitor master'), port)
  }

  /** Registered before it is ready, so destroy() also reaches a process whose start failed. */
  private async spawn(server: RedisProcess, port: number): Promise<void> {
    this.processes.set(port, server)
    await server.ready()
  }

  private dataNode(port: number): RedisProcess {
    const node = this.dataPorts.includes(port) && this.processes.get(port)
    if (!node) throw new Error(`no data node on port ${port}`)
    return node
  }

  private running(ports: number[]): number[] {
    return ports.filter((port) => this.processes.get(port)?.running)
  }

  private logs(): string {
    return [...this.processes.values()].map((node) => node.tail()).join('\n')
  }
}
