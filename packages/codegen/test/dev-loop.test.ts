// `pikku --watch -- <server>` under real edits: the server restarts after each
// change and runs the new code, new wirings and renamed queues.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Queue, QueueEvents } from 'bullmq'
import { Redis } from 'ioredis'
import { CLI, copyProject } from './fixture-project.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const prefix = `codegen-dev-${process.pid}-${Date.now()}`

const functions = (reply: string) => `import { pikkuSessionlessFunc } from '../.pikku/pikku-types.gen.js'
export const greet = pikkuSessionlessFunc<{ name: string }, string>(async (_s, { name }) => \`${reply} \${name}\`)
`
const routes = (queue: string) => `import { wireQueueWorker } from '../.pikku/pikku-types.gen.js'
import { greet } from './functions.js'
wireQueueWorker({ name: '${queue}', func: greet })
`

after(async () => {
  const redis = new Redis(redisUrl)
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  await redis.quit()
})

async function runJob(queueName: string, data: unknown): Promise<unknown> {
  const queue = new Queue(queueName, { connection: { url: redisUrl }, prefix })
  const events = new QueueEvents(queueName, { connection: { url: redisUrl }, prefix })
  try {
    await events.waitUntilReady()
    const job = await queue.add(queueName, data)
    return await job.waitUntilFinished(events, 15_000)
  } finally {
    await events.close()
    await queue.close()
  }
}

test('pikku --watch -- <server> regenerates and restarts the server on every edit', { timeout: 120_000 }, async (t) => {
  const { root, remove } = copyProject({ 'src/functions.ts': functions('Hello'), 'src/routes.ts': routes('greet') })
  const child = spawn(process.execPath, [CLI, '--watch', '--', process.execPath, '--import', 'tsx', join(HERE, 'dev-worker.ts')], {
    cwd: root,
    env: { ...process.env, DEV_PREFIX: prefix },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  let editedAt = 0
  const edit = (path: string, content: string) => {
    editedAt = Date.now()
    writeFileSync(join(root, path), content)
  }
  /** Waits for the n-th READY line and returns its queue list; reports (not asserts: the machine is shared) how long the restart took. */
  const ready = async (n: number): Promise<string> => {
    const deadline = Date.now() + 30_000
    for (;;) {
      const lines = output.split('\n').filter((line) => line.startsWith('READY queues='))
      if (lines.length >= n) {
        if (n > 1) t.diagnostic(`edit → server ready again: ${Date.now() - editedAt} ms`)
        return lines[n - 1]!.slice('READY queues='.length)
      }
      assert.ok(Date.now() < deadline, `no READY #${n} within 30 s:\n${output}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  try {
    assert.equal(await ready(1), 'greet')
    assert.equal(await runJob('greet', { name: 'Ada' }), 'Hello Ada')

    // A function body edit: codegen output is unchanged, the server still restarts with the new code.
    edit('src/functions.ts', functions('Hi'))
    assert.equal(await ready(2), 'greet')
    assert.equal(await runJob('greet', { name: 'Ada' }), 'Hi Ada')

    // A new wiring file: regenerated and running without any manual step.
    edit('src/more.ts', routes('welcome'))
    assert.equal(await ready(3), 'greet,welcome')
    assert.equal(await runJob('welcome', { name: 'Bo' }), 'Hi Bo')

    // A renamed queue: the server runs on the new meta, not a stale one.
    edit('src/routes.ts', routes('salute'))
    assert.equal(await ready(4), 'salute,welcome')
    assert.equal(await runJob('salute', { name: 'Cy' }), 'Hi Cy')

    // A mistake is reported and the server keeps running; fixing it restarts it.
    writeFileSync(join(root, 'src', 'routes.ts'), routes('salute').replace("name: 'salute'", "queue: 'salute'"))
    const deadline = Date.now() + 15_000
    while (!/takes the queue name as name:, not queue:/.test(output)) {
      assert.ok(Date.now() < deadline, output)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    assert.match(output, /the running process keeps the previous code/)
    edit('src/routes.ts', routes('salute'))
    assert.equal(await ready(5), 'salute,welcome')
  } finally {
    process.kill(-child.pid!, 'SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    remove()
  }
})
