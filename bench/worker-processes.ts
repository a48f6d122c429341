import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { cleanEnv } from '../test/support/clean-env.js'

const RAW_WORKER = fileURLToPath(new URL('./fixtures/raw-bullmq-worker.mjs', import.meta.url))

/** The raw BullMQ baseline, the generated project's compiled server, or the same under tsx (`npm start`). */
export type Side = 'bullmq' | 'pikku' | 'pikku-tsx'

export interface WorkerProcess {
  child: ChildProcess
  /** Milliseconds from spawn to the "Worker server ready" line. */
  readyMs: number
}

/**
 * Starts one worker process: the raw BullMQ baseline, or the generated project's compiled server
 * (`node dist/src/start.js`, its default settings). Its output goes nowhere, as a container's log
 * driver would take it; resolves once it says it is ready.
 */
export async function startWorkerProcess(
  side: Side,
  { app, queue, prefix, concurrency, nodeOptions = [], env: extraEnv = {} }: { app: string; queue: string; prefix: string; concurrency: number; nodeOptions?: string[]; env?: NodeJS.ProcessEnv },
): Promise<WorkerProcess> {
  // The compiled server runs as the generated Dockerfile runs it: NODE_ENV=production, the rest default.
  const env = cleanEnv({ PIKKU_QUEUE_PREFIX: prefix, BENCH_CONCURRENCY: String(concurrency), ...(side === 'pikku' ? { NODE_ENV: 'production' } : {}), ...extraEnv })
  const [args, cwd] = {
    pikku: [[path.join('dist', 'src', 'start.js')], app],
    'pikku-tsx': [['--import', 'tsx', path.join('src', 'start.ts')], app],
    bullmq: [[RAW_WORKER, queue, prefix, String(concurrency)], path.dirname(RAW_WORKER)],
  }[side] as [string[], string]
  const started = performance.now()
  const child = spawn(process.execPath, [...nodeOptions, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    let seen = ''
    const onData = (chunk: Buffer) => {
      seen += chunk
      if (seen.includes('Worker server ready')) {
        // From here on the output is discarded unread, as a log driver would.
        child.stdout!.off('data', onData).resume()
        resolve()
      }
    }
    child.stdout!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`${side} worker exited ${code} before it was ready:\n${seen}`)))
  })
  return { child, readyMs: performance.now() - started }
}

/** Resident memory of a running process in MiB (Linux /proc). */
export function residentMiB({ child }: WorkerProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024
}

export async function stopWorkerProcess({ child }: WorkerProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}
