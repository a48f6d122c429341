import { spawn, spawnSync, type ChildProcess } from 'node:child_process'

export interface WorkerServer {
  child: ChildProcess
  output(): string
  /** Settles once every process sharing the server's output has exited. */
  closed: Promise<void>
}

/**
 * Starts a generated project's worker server and resolves once it logs that it is ready. It runs in
 * its own process group, so a signal reaches the server behind npm, pnpm, yarn and tsx too.
 */
export async function startWorkerServer(command: string, args: string[], { cwd, env }: { cwd: string; env: NodeJS.ProcessEnv }): Promise<WorkerServer> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const deadline = Date.now() + 60_000
  while (!/Worker server ready/.test(output)) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode} before ready:\n${output}`)
    if (Date.now() > deadline) {
      signalGroup(child, 'SIGKILL')
      throw new Error(`server not ready after 60 s:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { child, output: () => output, closed }
}

export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, signal)
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  const exited = child.exitCode !== null || child.signalCode !== null
  return exited ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', resolve))
}

/**
 * SIGTERM to the group, then waits until every process that shares the server's output has gone
 * (the package manager in front may die of the signal before the server has finished its jobs).
 */
export async function stopWorkerServer(server: WorkerServer): Promise<void> {
  signalGroup(server.child, 'SIGTERM')
  await server.closed
}

/**
 * What a user does first with a new project: start the worker server with the package manager,
 * enqueue a job with the template's typed producer, and see its result. Then stop the server.
 * Returns the producer's output.
 */
export async function processFirstJob(packageManager: 'npm' | 'pnpm' | 'yarn', message: string, { cwd, env }: { cwd: string; env: NodeJS.ProcessEnv }): Promise<string> {
  const run = (script: string): string[] => (packageManager === 'yarn' ? [script] : ['run', script])
  const server = await startWorkerServer(packageManager, run('start'), { cwd, env })
  try {
    const enqueue = spawnSync(packageManager, [...run('enqueue'), message], { cwd, env, encoding: 'utf8', timeout: 60_000 })
    const output = `${enqueue.stdout}${enqueue.stderr}`
    if (enqueue.status !== 0 || !output.includes(`Hello, ${message}!`)) {
      throw new Error(`${packageManager} run enqueue did not print the result (exit ${enqueue.status}):\n${output}\nserver:\n${server.output()}`)
    }
    return output
  } finally {
    await stopWorkerServer(server)
  }
}
