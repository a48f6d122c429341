// rediss:// to a Redis whose certificate a private CA signed, and that asks clients for a
// certificate of their own (tls-auth-clients yes): a redis-server of this test's own, with a CA, a
// server and a client certificate made by openssl. The worker server, producers and pikku-queues
// read REDIS_TLS_CA_FILE, REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE (the CLI also --tls-*).
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { BullServiceFactory, RedisClientBuilder } from '../src/index.js'
import { freePort, setupPikku, uniquePrefix } from './helpers.js'

const BIN = fileURLToPath(new URL('../dist/cli/pikku-queues.js', import.meta.url))
const logger = setupPikku({ secure: { func: async (_services, data: { n: number }) => ({ doubled: data.n * 2 }) } })
const dir = mkdtempSync(join(tmpdir(), 'pikku-tls-'))
const file = (name: string) => join(dir, name)
let redis: ChildProcess
let url: string

function openssl(args: string[]): void {
  const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' })
  assert.equal(result.status, 0, result.stderr)
}

/** A certificate for `name`, signed by the test CA. */
function signed(name: string, subjectAltName?: string): void {
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`])
  const extensions = subjectAltName ? ['-extfile', file(`${name}.ext`)] : []
  if (subjectAltName) writeFileSync(file(`${name}.ext`), `subjectAltName=${subjectAltName}\n`)
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', ...extensions])
}


before(async () => {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=pikku-test-ca'])
  signed('server', 'IP:127.0.0.1')
  signed('client')
  const port = await freePort()
  redis = spawn('redis-server', [
    '--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--tls-cert-file', file('server.crt'), '--tls-key-file', file('server.key'), '--tls-ca-cert-file', file('ca.crt'), '--tls-auth-clients', 'yes',
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  await new Promise<void>((resolve, reject) => {
    let output = ''
    redis.stdout!.on('data', (chunk: Buffer) => {
      output += chunk
      if (output.includes('Ready to accept connections')) resolve()
    })
    redis.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${output}`)))
  })
  url = `rediss://127.0.0.1:${port}`
})

after(() => {
  redis?.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

/** Runs fn with these TLS variables set, as a deployment's environment would. */
async function withTlsEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const names = ['REDIS_TLS_CA_FILE', 'REDIS_TLS_CERT_FILE', 'REDIS_TLS_KEY_FILE']
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]))
  for (const name of names) delete process.env[name]
  Object.assign(process.env, vars)
  try {
    return await fn()
  } finally {
    for (const name of names) {
      if (saved[name] === undefined) delete process.env[name]
      else process.env[name] = saved[name]
    }
  }
}

const allFiles = () => ({ REDIS_TLS_CA_FILE: file('ca.crt'), REDIS_TLS_CERT_FILE: file('client.crt'), REDIS_TLS_KEY_FILE: file('client.key') })

test('with the CA and a client certificate from the environment, jobs run over TLS', { timeout: 30_000 }, async () => {
  await withTlsEnv(allFiles(), async () => {
    const factory = new BullServiceFactory({ redisUrl: url, prefix: uniquePrefix('tls'), logger })
    try {
      await factory.init()
      await factory.getQueueWorkers().registerQueues()
      const queueService = factory.getQueueService()
      const job = (await queueService.getJob('secure', await queueService.add('secure', { n: 21 })))!
      assert.deepEqual(await job.waitForCompletion!(10_000), { doubled: 42 })
    } finally {
      await factory.close()
    }
  })
})

test('without the private CA, or without a client certificate, adding a job fails with the TLS reason', { timeout: 30_000 }, async () => {
  for (const [vars, reason] of [
    [{}, /self-signed certificate in certificate chain|unable to verify/],
    [{ REDIS_TLS_CA_FILE: file('ca.crt') }, /Redis at rediss:\/\/127\.0\.0\.1:\d+ did not answer within 1000 ms/],
  ] as const) {
    await withTlsEnv(vars, async () => {
      const factory = new BullServiceFactory({ redisUrl: url, prefix: uniquePrefix('tls-refused'), logger, producerTimeoutMs: 1_000 })
      try {
        await assert.rejects(factory.getQueueService().add('secure', { n: 1 }), reason)
      } finally {
        await factory.close()
      }
    })
  }
})

test('TLS files with a redis:// URL, an unreadable file, or a certificate without its key are refused', () => {
  assert.throws(() => new RedisClientBuilder('redis://127.0.0.1:6379', {}, { REDIS_TLS_CA_FILE: file('ca.crt') }), /REDIS_TLS_CA_FILE set, but 'redis:\/\/127\.0\.0\.1:6379' does not use TLS: write rediss:\/\//)
  assert.throws(() => new RedisClientBuilder(url, {}, { REDIS_TLS_CA_FILE: file('missing.crt') }), /REDIS_TLS_CA_FILE=.*missing\.crt cannot be read: ENOENT/)
  assert.throws(() => new RedisClientBuilder(url, {}, { REDIS_TLS_CERT_FILE: file('client.crt') }), /REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE go together/)
})

test('pikku-queues reaches the TLS Redis with --tls-ca, --tls-cert and --tls-key', { timeout: 30_000 }, async () => {
  const env = { ...process.env, REDIS_URL: url, PIKKU_QUEUE_PREFIX: uniquePrefix('tls-cli') }
  const withFlags = spawnSync(process.execPath, [BIN, 'status', '--json', '--tls-ca', file('ca.crt'), '--tls-cert', file('client.crt'), '--tls-key', file('client.key')], { env, encoding: 'utf8', timeout: 20_000 })
  assert.equal(withFlags.status, 0, withFlags.stderr)
  assert.deepEqual(JSON.parse(withFlags.stdout), [])
  const withEnv = spawnSync(process.execPath, [BIN, 'status', '--json'], { env: { ...env, ...allFiles() }, encoding: 'utf8', timeout: 20_000 })
  assert.equal(withEnv.status, 0, withEnv.stderr)
  const without = spawnSync(process.execPath, [BIN, 'status'], { env, encoding: 'utf8', timeout: 20_000 })
  assert.equal(without.status, 1)
  assert.match(without.stderr, /^error: Cannot reach Redis at rediss:\/\/127\.0\.0\.1:\d+: .*(self-signed certificate|unable to verify)/)
})
