// Code written the way Pikku's own templates and docs write it (test/fixtures/upstream-style:
// #pikku/* imports, object-form definers, hook factories that register tag middleware and
// permissions, zod schemas, a store service, scheduled tasks, a queue-skill style worker, a DSL
// workflow with an exposed, queued step), dropped
// into a freshly generated project with only its service registered in services.ts and
// application-types.ts. It must generate, type-check, and run under `npm start` and under the
// compiled `npm run start:prod`, with upstream's middleware order.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { cleanEnv } from './support/clean-env.js'
import { deleteKeysWithPrefix } from './support/redis-keys.js'
import { signalGroup, startWorkerServer, stopWorkerServer } from './support/worker-server.js'

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..')
const FIXTURE = join(REPO, 'test', 'fixtures', 'upstream-style')
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const PREFIX = `upstream-style-${process.pid}-${Date.now()}`
const env = cleanEnv({ CI: 'true', REDIS_URL, PIKKU_QUEUE_PREFIX: PREFIX, MONITORING_ENABLED: 'false' })

const workspace = mkdtempSync(join(tmpdir(), 'create-pikku-upstream-'))
const app = join(workspace, 'app')

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { cwd: app, env, encoding: 'utf8', timeout: 300_000 })
  return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` }
}

/** Replaces exactly one occurrence, so a template change that breaks the edit fails here, not later. */
function edit(file: string, from: string, to: string): void {
  const path = join(app, file)
  const content = readFileSync(path, 'utf8')
  assert.equal(content.split(from).length, 2, `${file} should contain ${JSON.stringify(from)} once`)
  writeFileSync(path, content.replace(from, to))
}

before(() => {
  const scaffold = spawnSync(process.execPath, [join(REPO, 'bin', 'create-pikku.js'), 'app', '--yes'], { cwd: workspace, env, encoding: 'utf8', timeout: 600_000 })
  assert.equal(scaffold.status, 0, `${scaffold.stdout}${scaffold.stderr}`)
  cpSync(FIXTURE, app, { recursive: true })
  // The only edits to the template's own files: register the service, as a user would.
  edit('src/services.ts', "import { pikkuServices } from '#pikku/setup'\n", "import { pikkuServices } from '#pikku/setup'\nimport { TodoStore } from './services/todo-store.service.js'\n")
  edit('src/services.ts', '    secrets,\n', '    secrets,\n    todoStore: new TodoStore(),\n')
  edit('src/application-types.ts', "import type { MonitoringServerOptions } from 'pikku-bullmq'\n", "import type { MonitoringServerOptions } from 'pikku-bullmq'\nimport type { TodoStore } from './services/todo-store.service.js'\n")
  edit('src/application-types.ts', 'export interface SingletonServices extends CoreSingletonServices<Config> {}', 'export interface SingletonServices extends CoreSingletonServices<Config> {\n  todoStore: TodoStore\n}')
  const zod = run('npm', ['install', 'zod@^4.1.0', '--no-audit', '--no-fund'])
  assert.equal(zod.status, 0, zod.output)
})

after(async () => {
  await deleteKeysWithPrefix(REDIS_URL, PREFIX)
  rmSync(workspace, { recursive: true, force: true })
})

interface Outcome {
  result?: unknown
  error?: string
  logs?: string[]
}

/** Upstream's middleware-and-permissions verifier expects this for a queue job. */
const UPSTREAM_QUEUE_ORDER = [
  { type: 'tag', name: 'session', phase: 'before' },
  { type: 'tag', name: 'queue', phase: 'before' },
  { type: 'wire', name: 'queue', phase: 'before' },
  { type: 'tag', name: 'function', phase: 'before' },
  { type: 'function', name: 'auditedStep', phase: 'before' },
  { type: 'function-permission', name: 'function' },
]

/** The structured lines the fixture's middleware and permissions logged, in order. */
function traceEvents(serverOutput: string): Array<{ type: string; name: string; phase?: string }> {
  return serverOutput
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { type?: string; name?: string; phase?: string })
    .filter((entry) => entry.type !== undefined && (entry.phase === 'before' || entry.type.includes('permission')))
    .map(({ type, name, phase }) => (phase ? { type: type!, name: name!, phase } : { type: type!, name: name! }))
}

describe('Pikku code as Pikku writes it', () => {
  test('codegen reads every file, warning only of a workflow\'s expose, and tsc accepts the project', () => {
    const codegen = run('npm', ['run', 'pikku'])
    assert.equal(codegen.status, 0, codegen.output)
    assert.match(codegen.stdout, /14 function\(s\), 5 queue worker\(s\), 3 scheduled task\(s\), 2 workflow\(s\)/)
    // The one thing it does not run as written: a workflow's expose (there is no HTTP route here).
    assert.deepEqual(codegen.output.match(/^.*warning.*$/gm), [
      "src/functions/workflow.functions.ts:22:3 warning: expose has no effect on a workflow here: this project has no HTTP route to start it; start it with services.workflows.start('remindLaterWorkflow', input) or wire.rpc.startWorkflow",
    ])
    const tsc = run('npx', ['tsc', '--noEmit'])
    assert.equal(tsc.status, 0, tsc.output)
  })

  for (const mode of ['npm start', 'npm run start:prod'] as const) {
    test(`${mode}: jobs run with upstream's middleware order, tag permissions, schemas and queue semantics`, { timeout: 240_000 }, async () => {
      if (mode === 'npm run start:prod') {
        const build = run('npm', ['run', 'build'])
        assert.equal(build.status, 0, build.output)
      }
      const server = await startWorkerServer('npm', mode === 'npm start' ? ['start'] : ['run', 'start:prod'], { cwd: app, env })
      try {
        assert.match(server.output(), /Worker server ready, processing queues: .*todo-reminders.*welcome-emails.*wf-orchestrator-remind-later-workflow.*wf-step-notify-user/)
        assert.match(server.output(), /Schedule 'dailyDigest' \(0 9 \* \* \*\): next run/)
        assert.match(server.output(), /Schedule 'weeklyCleanup' \(0 2 \* \* 0\): next run/)
        const exercise = mode === 'npm start' ? run('npx', ['tsx', 'client/exercise.ts']) : run(process.execPath, ['dist/client/exercise.js'])
        assert.equal(exercise.status, 0, exercise.output)
        const line = exercise.stdout.split('\n').find((l) => l.startsWith('RESULTS '))
        assert.ok(line, exercise.output)
        const results = JSON.parse(line.slice('RESULTS '.length)) as Record<string, Outcome>

        assert.deepEqual(results.reminder, { result: { sent: true, message: 'reminded ada: Write the report' } })
        assert.deepEqual(results.reminderDone, { result: { sent: false, message: 'Book the room is already done' } })
        // addTagPermission, registered by an exported factory the bootstrap calls.
        assert.deepEqual(results.reminderUnknownUser, { error: 'Permission denied by tag "reminders"' })
        // The zod schema is checked before any permission, where core checks its own schemas.
        assert.match(results.reminderInvalid!.error ?? '', /^Invalid data: todoId: .*expected string, received number; userId: .*expected string/)
        assert.deepEqual(results.audited, { result: null })
        assert.deepEqual(results.welcomeAda, { result: { sent: true, attempt: 1 }, logs: ['welcome email sent to ada'] })
        // fail() fails the attempt and the job is retried, as in Pikku.
        assert.deepEqual(results.welcomeGrace, { result: { sent: true, attempt: 2 }, logs: ['welcome email sent to grace'] })
        // discard() completes the job, with the reason in its log.
        assert.equal(results.welcomeNobody!.result, null)
        assert.match(results.welcomeNobody!.logs?.[0] ?? '', /^Queue job \d+ discarded: User not found$/)
        // A DSL workflow with a branch, a sleep, an inline and a queued step, written as Pikku's docs write it.
        assert.deepEqual(results.remindUrgent, {
          result: { output: { notified: true, channel: 'push' }, steps: ['Load todo:succeeded', 'Pause before reminding:succeeded', 'Notify user:succeeded'] },
        })
        assert.deepEqual(results.remindDone, { result: { output: { notified: false }, steps: ['Load todo:succeeded'] } })

        await stopWorkerServer(server)
        const output = server.output()
        assert.deepEqual(traceEvents(output), UPSTREAM_QUEUE_ORDER, 'the audited job ran its middleware and permission in upstream order, the session factory once')
        assert.match(output, /"msg":"Job \d+ in queue 'welcome-emails' failed \(attempt 1\/3\), will retry: Queue job \d+ failed: Mail server busy"/)
        assert.match(output, /"msg":"Queue job \d+ discarded: User not found \(queue 'welcome-emails'\): completed, not retried"/)
        assert.doesNotMatch(output, /"level":50.*welcome-emails/, 'a discarded job writes no error line')
      } finally {
        signalGroup(server.child, 'SIGKILL')
      }
    })
  }
})
