import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'
import { pikkuState, setSingletonServices } from '@pikku/core/ecosystem'
import { wireQueueWorker, type PikkuQueue, type PikkuWorkerConfig } from '@pikku/core/queue'
import { LocalSecretService, LocalVariablesService, type Logger } from '@pikku/core/services'
import { BullServiceFactory } from '../src/index.js'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A 44-character key, strong enough for core's queue-identity signing. */
export const QUEUE_IDENTITY_SECRET = 'dGVzdC1vbmx5LWtleS1tYXRlcmlhbC0xMjM0NTY3ODk='

let prefixCounter = 0
/** A BullMQ prefix no other test run (or concurrent test process) uses. */
export function uniquePrefix(label: string): string {
  return `test-${label}-${process.pid}-${Date.now()}-${prefixCounter++}`
}

export interface LogEntry {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error'
  message: string
}

/** Keeps log lines for assertions; prints them only with PIKKU_TEST_LOG=1. */
export class MemoryLogger implements Logger {
  readonly entries: LogEntry[] = []
  private record(level: LogEntry['level'], message: unknown, meta: unknown[]): void {
    const text = [message, ...meta].map((part) => (part instanceof Error ? part.message : typeof part === 'string' ? part : JSON.stringify(part))).join(' ')
    this.entries.push({ level, message: text })
    if (process.env.PIKKU_TEST_LOG) console.log(`${level.toUpperCase()}: ${text}`)
  }
  trace(message: string, ...meta: any[]): void { this.record('trace', message, meta) }
  debug(message: string, ...meta: any[]): void { this.record('debug', message, meta) }
  info(message: any, ...meta: any[]): void { this.record('info', message, meta) }
  warn(message: any, ...meta: any[]): void { this.record('warn', message, meta) }
  error(message: any, ...meta: any[]): void { this.record('error', message, meta) }
  setLevel(): void {}
  matching(level: LogEntry['level'], pattern: RegExp): LogEntry[] {
    return this.entries.filter((entry) => entry.level === level && pattern.test(entry.message))
  }
}

export type TestQueueFunc = (services: any, data: any, wire: { queue?: PikkuQueue }) => Promise<unknown>

/**
 * Sets up core state as generated code does: function and queue meta first
 * (each `pikkuState` call replaces the whole entry, so all queues of a test
 * file go in one call), then the wirings, then the singleton services.
 */
export function setupPikku(queues: Record<string, { func: TestQueueFunc; config?: PikkuWorkerConfig }>): MemoryLogger {
  const functionMeta: Record<string, unknown> = {}
  const queueMeta: Record<string, unknown> = {}
  for (const name of Object.keys(queues)) {
    const pikkuFuncId = `${name}Func`
    functionMeta[pikkuFuncId] = { pikkuFuncId, sessionless: true, inputSchemaName: null, outputSchemaName: null }
    queueMeta[name] = { pikkuFuncId, name }
  }
  pikkuState(null, 'function', 'meta', functionMeta as any)
  pikkuState(null, 'queue', 'meta', queueMeta as any)
  for (const [name, { func, config }] of Object.entries(queues)) {
    wireQueueWorker({ name, func: { func: func as any }, config })
  }
  const logger = new MemoryLogger()
  const variables = new LocalVariablesService({ PIKKU_QUEUE_IDENTITY_SECRET: QUEUE_IDENTITY_SECRET })
  setSingletonServices({ config: {}, logger, variables, secrets: new LocalSecretService(variables) })
  return logger
}

/**
 * A factory whose connections are all recognisable in CLIENT LIST: the
 * connection name is the prefix (BullMQ renames some connections, but to
 * names that start with the prefix too).
 */
export function createFactory(prefix: string, logger: Logger): BullServiceFactory {
  return new BullServiceFactory({ redisUrl: REDIS_URL, prefix, logger, connection: { connectionName: prefix } })
}

/** Runs `fn` with a factory whose workers are registered (jobs run), and closes it afterwards. */
export async function withWorkers<T>(prefix: string, logger: Logger, fn: (factory: BullServiceFactory) => Promise<T>): Promise<T> {
  const factory = createFactory(prefix, logger)
  try {
    await factory.getQueueWorkers().registerQueues()
    return await fn(factory)
  } finally {
    await factory.close()
  }
}

/** Runs `fn` with a plain ioredis client that is always closed afterwards. */
export async function withRedis<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(REDIS_URL)
  try {
    return await fn(redis)
  } finally {
    redis.disconnect()
  }
}

/** Connections currently open on the server whose name starts with the prefix. */
export function countConnections(prefix: string): Promise<number> {
  return withRedis(async (redis) => {
    const list = (await redis.call('CLIENT', 'LIST')) as string
    return list.split('\n').filter((line) => / name=(\S+)/.exec(line)?.[1]?.startsWith(prefix)).length
  })
}

/**
 * Unique prefixes for the tests of one file; `deleteAll()` (call it from
 * `after`) removes every key under each of them.
 */
export function filePrefixes(): { next(label: string): string; deleteAll(): Promise<void> } {
  const prefixes: string[] = []
  return {
    next(label) {
      const prefix = uniquePrefix(label)
      prefixes.push(prefix)
      return prefix
    },
    deleteAll: async () => {
      await Promise.all(prefixes.map(deleteKeys))
    },
  }
}

/** Deletes every key under the prefix. */
export function deleteKeys(prefix: string): Promise<void> {
  return withRedis(async (redis) => {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
      if (keys.length > 0) await redis.del(...keys)
      cursor = next
    } while (cursor !== '0')
  })
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Polls until `check` returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T> | T, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(25)
  }
}

/** A promise with its resolve function, for jobs the test releases by hand. */
export interface Deferred<T = void> {
  promise: Promise<T>
  resolve: (value: T) => void
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

/** A redis-server of the test's own, for tests that stop and restart Redis. */
export interface OwnRedis {
  port: number
  url: string
  stop(): Promise<void>
  /** Starts it again on the same port (data is not kept). */
  restart(): Promise<void>
}

/**
 * Starts redis-server on the first free port from 6390 to 6399 (the shared
 * Redis on 6379 must never be stopped), without persistence. The caller must
 * `stop()` it.
 */
export async function startOwnRedis(): Promise<OwnRedis> {
  for (let port = 6390; port <= 6399; port++) {
    const child = await spawnRedis(port)
    if (!child) continue
    let current: ChildProcess = child
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      stop: () => stopChild(current),
      restart: async () => {
        await stopChild(current)
        const next = await spawnRedis(port)
        if (!next) throw new Error(`Could not restart redis-server on port ${port}`)
        current = next
      },
    }
  }
  throw new Error('No free port for a test redis-server between 6390 and 6399')
}

async function spawnRedis(port: number): Promise<ChildProcess | undefined> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const started = await new Promise<boolean>((resolve) => {
    let output = ''
    const timer = setTimeout(() => resolve(false), 5000)
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve(true)
      }
    })
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(false)
    })
  })
  if (started) return child
  await stopChild(child)
  return undefined
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}

/** A port of 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}
