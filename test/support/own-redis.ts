import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import { findFreePort } from './free-port.js'

export interface OwnRedisOptions {
  /** Append-only file with fsync on every write, so a restart keeps every acknowledged job. Default: true. */
  persistent?: boolean
  /** `maxmemory`, e.g. '8mb', with the noeviction policy BullMQ needs. Default: none. */
  maxmemory?: string
}

/**
 * A redis-server of the test's own on a free port of 127.0.0.1, for scenarios that stop, restart
 * or fill Redis; the shared one on 6379 is never touched. The data folder lives until `destroy()`,
 * so `stop()` then `start()` is a restart that keeps the data.
 */
export class OwnRedis {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'own-redis-'))
  port = 0
  private child: ChildProcess | undefined

  constructor(private readonly options: OwnRedisOptions = {}) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  async start(): Promise<void> {
    this.port ||= await findFreePort()
    const args = ['--bind', '127.0.0.1', '--port', String(this.port), '--dir', this.dir, '--save', '', '--daemonize', 'no', '--maxmemory-policy', 'noeviction']
    if (this.options.persistent ?? true) args.push('--appendonly', 'yes', '--appendfsync', 'always')
    else args.push('--appendonly', 'no')
    if (this.options.maxmemory) args.push('--maxmemory', this.options.maxmemory)
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    this.child = child
    await new Promise<void>((resolve, reject) => {
      let output = ''
      child.stdout!.on('data', (chunk) => {
        output += chunk
        if (output.includes('Ready to accept connections')) resolve()
      })
      child.once('exit', (code) => reject(new Error(`redis-server exited ${code}:\n${output}`)))
    })
  }

  /** SHUTDOWN-like stop by SIGTERM: Redis flushes the AOF and exits. */
  async stop(): Promise<void> {
    const child = this.child
    this.child = undefined
    if (!child || child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }

  /** CONFIG SET on the running server, as an operator would change a limit. */
  async configSet(key: string, value: string): Promise<void> {
    const client = new Redis(this.url)
    try {
      await client.config('SET', key, value)
    } finally {
      client.disconnect()
    }
  }

  async destroy(): Promise<void> {
    await this.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }
}
