import { spawn, type ChildProcess } from 'node:child_process'

export interface DevProcessOptions {
  command: string
  args: string[]
  cwd: string
  /** How long a stopping process may take before it is killed. Default: 3000 ms (in development a quick restart beats draining jobs; BullMQ hands unfinished ones back). */
  stopTimeoutMs?: number
  log: (message: string) => void
}

/**
 * The command `pikku --watch -- <command>` keeps running (the worker server),
 * restarted after each regeneration. It runs in its own process group, so
 * stopping it stops what it started too (npm, tsx and the server behind them).
 */
export class DevProcess {
  private child: ChildProcess | undefined
  private exited: Promise<void> = Promise.resolve()
  private queue: Promise<void> = Promise.resolve()

  constructor(private readonly options: DevProcessOptions) {}

  /** Stops the running process (if any) and starts a new one; calls are serialised. */
  restart(): Promise<void> {
    this.queue = this.queue.then(async () => {
      await this.stopNow()
      this.start()
    })
    return this.queue
  }

  stop(): Promise<void> {
    this.queue = this.queue.then(() => this.stopNow())
    return this.queue
  }

  private start(): void {
    const { command, args, cwd, log } = this.options
    const child = spawn(command, args, { cwd, stdio: 'inherit', detached: true, shell: process.platform === 'win32' })
    this.child = child
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (this.child === child) {
          this.child = undefined
          log(`${command} exited (${signal ?? `code ${code}`}); it starts again on the next change`)
        }
        resolve()
      })
      child.once('error', (error) => {
        log(`could not start ${command}: ${error.message}`)
        if (this.child === child) this.child = undefined
        resolve()
      })
    })
  }

  private async stopNow(): Promise<void> {
    const child = this.child
    if (!child || child.pid === undefined) return
    this.child = undefined
    signalGroup(child.pid, 'SIGTERM')
    const deadline = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), this.options.stopTimeoutMs ?? 3000)
    await this.exited
    clearTimeout(deadline)
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal)
  } catch {
    // Already gone.
  }
}
