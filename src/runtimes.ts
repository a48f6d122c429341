export interface Runtime {
  name: string
  display: string
  /** Folder under `templates/`. */
  templateDir: string
  /** Our own packages the generated project depends on; they ship inside create-pikku as tarballs. */
  companionPackages: readonly string[]
  /** What must be running before `start`: a command and what it is for, printed in the next steps. */
  prerequisite: { command: string; purpose: string }
}

export const RUNTIMES: readonly Runtime[] = [
  {
    name: 'bullmq',
    display: 'BullMQ (Redis)',
    templateDir: 'bullmq',
    companionPackages: ['pikku-codegen', 'pikku-bullmq'],
    prerequisite: { command: 'docker compose up -d', purpose: 'start Redis (or your own Redis ≥ 6.2 at REDIS_URL)' },
  },
]

export const DEFAULT_RUNTIME = 'bullmq'

export function findRuntime(name: string): Runtime {
  const runtime = RUNTIMES.find((candidate) => candidate.name === name)
  // Commander and the prompt only offer known names, so a miss is a programming error.
  if (!runtime) throw new Error(`Unknown runtime "${name}"`)
  return runtime
}
