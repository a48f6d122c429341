// No part of a Redis password reaches any output, for every form of URL a user writes: a raw `@`
// (or `/`, `#`) inside the password, a password with no user, a lone `redis://secret@host`, and a
// `?password=` query. Checked in the URL helpers, the start-up retry warning, a producer's error
// and the pikku-queues CLI's error, against a port where nothing listens.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { BullServiceFactory, parseRedisUrl } from '../src/index.js'
import { redactPassword } from '../src/connection/redis-url.js'
import { freePort, MemoryLogger, uniquePrefix } from './helpers.js'

const BIN = fileURLToPath(new URL('../dist/cli/pikku-queues.js', import.meta.url))
/** A raw `@` is valid inside a URL's password; `/` and `#` are not, and must be percent-encoded. */
const SECRET = 'Tr0ub4dor@3xhorse'
const SECRET_WITH_DELIMITERS = 'B4ttery/st@ple#42'

/** Every run of three or more characters of the secrets that is not punctuation. */
const FRAGMENTS = [SECRET, SECRET_WITH_DELIMITERS].flatMap((secret) => secret.split(/[@/#]/)).filter((part) => part.length >= 3)

function assertNoSecret(text: string, where: string): void {
  for (const fragment of [SECRET, SECRET_WITH_DELIMITERS, ...FRAGMENTS]) {
    assert.ok(!text.includes(fragment), `${where} leaks '${fragment}': ${text}`)
  }
}


const forms = (port: number) => [
  `redis://app:${SECRET}@127.0.0.1:${port}/0`,
  `redis://:${SECRET}@127.0.0.1:${port}`,
  `rediss://default:${encodeURIComponent(SECRET_WITH_DELIMITERS)}@127.0.0.1:${port}`,
  `redis://${SECRET}@127.0.0.1:${port}`,
  `redis://127.0.0.1:${port}/?password=${encodeURIComponent(SECRET)}`,
]

test('redactPassword hides the whole password, however the URL spells it, and keeps the rest readable', async () => {
  for (const url of forms(6379)) assertNoSecret(redactPassword(url), url)
  // Not valid URLs, but nothing said about them may leak either.
  assertNoSecret(redactPassword(`redis://app:${SECRET_WITH_DELIMITERS}@cache:6379`), 'a raw / and # in a password')
  // Read as the user meant it: everything up to the last '@' is user info.
  assert.equal(parseRedisUrl(`redis://app:${SECRET_WITH_DELIMITERS}@cache:6379`).options.password, SECRET_WITH_DELIMITERS)
  assert.equal(redactPassword(`redis://app:${SECRET}@cache:6379/0`), 'redis://app:***@cache:6379/0')
  assert.equal(redactPassword(`redis://${SECRET}@cache:6379`), 'redis://***@cache:6379')
  assert.equal(redactPassword('redis://cache:6379/2'), 'redis://cache:6379/2')
  // A query is refused (ioredis would read options from it that this parser does not), without the password.
  assert.throws(
    () => parseRedisUrl(`redis://cache:6379/?password=${SECRET}`),
    (error: Error) => /has query parameters, which are not read: put user and password in the URL/.test(error.message) && !error.message.includes(FRAGMENTS[0]!),
  )
})

test('the start-up warning and a producer error name the URL without any part of the password', { timeout: 30_000 }, async () => {
  const port = await freePort()
  for (const url of forms(port).filter((form) => !form.includes('?'))) {
    const logger = new MemoryLogger()
    const factory = new BullServiceFactory({ redisUrl: url, prefix: uniquePrefix('redact'), logger, producerTimeoutMs: 200 })
    const added = await factory.getQueueService().add('q', {}).catch((error: Error) => error)
    assert.ok(added instanceof Error, `${url}: add() rejected`)
    assertNoSecret(added.message, `the producer error for ${url}`)
    const init = factory.init()
    await new Promise((resolve) => setTimeout(resolve, 400))
    const closing = factory.close()
    await init.catch(() => undefined)
    await closing
    const lines = logger.entries.map((entry) => entry.message).join('\n')
    assert.match(lines, /is not reachable \(attempt 1/)
    assertNoSecret(lines, `the log for ${url}`)
  }
})

test('pikku-queues prints the unreachable Redis without any part of the password', { timeout: 30_000 }, async () => {
  const port = await freePort()
  for (const url of forms(port)) {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'status'], { env: { ...process.env, REDIS_URL: url } })
      let output = ''
      child.stdout.on('data', (chunk) => (output += chunk))
      child.stderr.on('data', (chunk) => (output += chunk))
      child.on('close', (exitCode) => resolve({ code: exitCode, output }))
    })
    assert.equal(code, 1, output)
    assert.match(output, /^error: /)
    assertNoSecret(output, `pikku-queues for ${url}`)
  }
})
