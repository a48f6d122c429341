import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Cluster, Redis } from 'ioredis'
import { parseRedisUrl, RedisClientBuilder } from '../src/index.js'

test('parseRedisUrl: one node, host and port, with defaults', () => {
  assert.deepEqual(parseRedisUrl('redis://127.0.0.1:6379'), { topology: 'single', options: { host: '127.0.0.1', port: 6379 } })
  assert.deepEqual(parseRedisUrl('redis://cache.internal'), { topology: 'single', options: { host: 'cache.internal', port: 6379 } })
  assert.deepEqual(parseRedisUrl('redis://[::1]:7000'), { topology: 'single', options: { host: '::1', port: 7000 } })
})

test('parseRedisUrl: user, password (percent-decoded) and db', () => {
  assert.deepEqual(parseRedisUrl('redis://alice:p%40ss%3Aword@redis.example.com:6380/3').options, {
    host: 'redis.example.com',
    port: 6380,
    username: 'alice',
    password: 'p@ss:word',
    db: 3,
  })
  // Password only, the form most hosted Redis URLs use.
  assert.deepEqual(parseRedisUrl('redis://:secret@localhost/0').options, { host: 'localhost', port: 6379, password: 'secret', db: 0 })
})

test('parseRedisUrl: rediss:// turns TLS on', () => {
  assert.deepEqual(parseRedisUrl('rediss://default:tok@eu1.upstash.io:6379').options, {
    host: 'eu1.upstash.io',
    port: 6379,
    username: 'default',
    password: 'tok',
    tls: {},
  })
  assert.equal(parseRedisUrl('redis://localhost').options.tls, undefined)
})

test('parseRedisUrl: redis+sentinel:// lists the sentinels, names the master, and may select a db', () => {
  assert.deepEqual(parseRedisUrl('redis+sentinel://:p%2Fw@10.0.0.1:26379,10.0.0.2,[::1]:26380/mymaster/2'), {
    topology: 'sentinel',
    sentinels: [
      { host: '10.0.0.1', port: 26379 },
      { host: '10.0.0.2', port: 26379 },
      { host: '::1', port: 26380 },
    ],
    masterName: 'mymaster',
    options: { password: 'p/w', db: 2 },
  })
  assert.deepEqual(parseRedisUrl('rediss+sentinel://s1:26379/cache').options, { tls: {} })
  assert.throws(() => parseRedisUrl('redis+sentinel://s1:26379,s2:26379'), /names no master: write redis\+sentinel:\/\/host:26379,host:26379\/masterName/)
  assert.throws(() => parseRedisUrl('redis+sentinel://s1:26379/mymaster/x'), /Invalid Redis database 'x'/)
})

test('parseRedisUrl: redis+cluster:// lists the startup nodes; a database other than 0 is refused', () => {
  assert.deepEqual(parseRedisUrl('rediss+cluster://app:pw@n1:7000,n2:7001'), {
    topology: 'cluster',
    nodes: [
      { host: 'n1', port: 7000 },
      { host: 'n2', port: 7001 },
    ],
    options: { username: 'app', password: 'pw', tls: {} },
  })
  assert.deepEqual(parseRedisUrl('redis+cluster://n1:7000/0').options, {})
  assert.throws(() => parseRedisUrl('redis+cluster://n1:7000/3'), /a Redis Cluster has database 0 only: remove '\/3'/)
})

test('parseRedisUrl: rejects other schemes, host lists without a topology, bad dbs, ports and garbage, without leaking the password', () => {
  assert.throws(() => parseRedisUrl('http://localhost:6379'), /Unsupported Redis URL scheme 'http:'.*redis\+sentinel:\/\/.*redis\+cluster:\/\//)
  assert.throws(() => parseRedisUrl('redis://localhost/cache'), /Invalid Redis database 'cache'/)
  assert.throws(() => parseRedisUrl('localhost:6379'), /Invalid Redis URL 'localhost:6379': expected redis:\/\//)
  assert.throws(() => parseRedisUrl('redis://a:6379,b:6379'), /lists 2 hosts: use redis\+sentinel:\/\/ for Sentinel or redis\+cluster:\/\/ for a Redis Cluster/)
  assert.throws(() => parseRedisUrl('redis+cluster://n1:99999'), /Invalid port in 'n1:99999'/)
  assert.throws(
    () => parseRedisUrl('redis+cluster://user:hunter2@n1:7000/x'),
    (error: Error) => /user:\*\*\*@n1/.test(error.message) && !error.message.includes('hunter2'),
  )
  assert.throws(() => parseRedisUrl('not a url'), /Invalid Redis URL/)
  assert.throws(() => parseRedisUrl('redis+cluster://n1:7000,n2:7001,'), /has an empty entry in its host list/)
  assert.throws(() => parseRedisUrl('redis://cache:6379#x'), /has a #fragment, which is not read: percent-encode a '#' in the password as %23/)
  assert.throws(
    () => parseRedisUrl('redis://app:50%off@cache:6379'),
    (error: Error) => /a '%' that starts no escape; write a literal '%' as %25/.test(error.message) && !error.message.includes('50%off'),
  )
})

test('parseRedisUrl: a raw / or @ in a password stays in the password, never becomes the host or the path', () => {
  assert.deepEqual(parseRedisUrl('redis://default:2024/Secret@cache:6379').options, { host: 'cache', port: 6379, username: 'default', password: '2024/Secret' })
  assert.deepEqual(parseRedisUrl('redis+sentinel://app:12@34/x@s1:26379/mymaster'), {
    topology: 'sentinel',
    sentinels: [{ host: 's1', port: 26379 }],
    masterName: 'mymaster',
    options: { username: 'app', password: '12@34/x' },
  })
})

test('RedisClientBuilder: producers fail fast, blocking clients retry forever, overrides merged', (t) => {
  const builder = new RedisClientBuilder('redis://:pw@redis:6380/1', { connectionName: 'app', db: 2 }, {})
  const producer = builder.create('producer') as Redis
  const blocking = builder.create('blocking') as Redis
  t.after(() => [producer, blocking].forEach((client) => client.disconnect()))
  assert.ok(producer instanceof Redis)
  assert.equal(producer.status, 'wait', 'clients connect on first use')
  assert.deepEqual(
    { host: producer.options.host, port: producer.options.port, password: producer.options.password, db: producer.options.db, name: producer.options.connectionName },
    { host: 'redis', port: 6380, password: 'pw', db: 2, name: 'app' },
  )
  assert.equal(producer.options.enableOfflineQueue, false)
  assert.equal(blocking.options.maxRetriesPerRequest, null)
  assert.equal(blocking.options.enableOfflineQueue, true)
  // A demoted master answers READONLY: both reconnect (to the new master), blocking clients resend the command.
  const readOnly = new Error("READONLY You can't write against a read only replica.")
  assert.equal(producer.options.reconnectOnError?.(readOnly), 1)
  assert.equal(blocking.options.reconnectOnError?.(readOnly), 2)
  assert.equal(blocking.options.reconnectOnError?.(new Error('ERR unknown command')), false)
  // Workers must not get a finite maxRetriesPerRequest even if the caller passes one.
  const forced = new RedisClientBuilder('redis://localhost', { maxRetriesPerRequest: 3 }, {}).create('blocking') as Redis
  t.after(() => forced.disconnect())
  assert.equal(forced.options.maxRetriesPerRequest, null)
})

test('RedisClientBuilder: Sentinel clients watch for failovers and read the sentinels’ own password from the environment', (t) => {
  const builder = new RedisClientBuilder('redis+sentinel://:data-pw@127.0.0.1:26379/mymaster', {}, { REDIS_SENTINEL_PASSWORD: 'sentinel-pw' })
  const client = builder.create('blocking') as Redis
  t.after(() => client.disconnect())
  assert.deepEqual(client.options.sentinels, [{ host: '127.0.0.1', port: 26379 }])
  assert.equal(client.options.name, 'mymaster')
  assert.equal(client.options.role, 'master')
  assert.equal(client.options.failoverDetector, true)
  assert.equal(client.options.password, 'data-pw')
  assert.equal(client.options.sentinelPassword, 'sentinel-pw')
  assert.equal(builder.singleNode, undefined)
  // With another topology it would be ignored: refused instead.
  assert.throws(() => new RedisClientBuilder('redis://127.0.0.1:6379', {}, { REDIS_SENTINEL_PASSWORD: 'x' }), /REDIS_SENTINEL_PASSWORD set, but 'redis:\/\/127\.0\.0\.1:6379' is not a Sentinel URL/)
})

test('RedisClientBuilder: Cluster producers fail fast on the Cluster, not per node; a prefix without a hash tag is refused', (t) => {
  const builder = new RedisClientBuilder('redis+cluster://:pw@127.0.0.1:7000,127.0.0.1:7001', {}, {})
  const producer = builder.create('producer') as Cluster
  const blocking = builder.create('blocking') as Cluster
  t.after(() => [producer, blocking].forEach((client) => client.disconnect()))
  assert.ok(producer instanceof Cluster)
  assert.equal(producer.options.enableOfflineQueue, false)
  assert.equal((producer.options.redisOptions as Record<string, unknown>).enableOfflineQueue, undefined, 'a node connects on first use, so its own offline queue stays on')
  assert.equal(producer.options.redisOptions?.password, 'pw')
  assert.equal(producer.options.scaleReads, 'master')
  assert.equal(blocking.options.redisOptions?.maxRetriesPerRequest, null)
  const tls = new RedisClientBuilder('rediss+cluster://clustercfg.example.cache.amazonaws.com:6379', {}, {}).create('producer') as Cluster
  t.after(() => tls.disconnect())
  // With TLS the Cluster connects by host name, so the certificate's name matches (ElastiCache, MemoryDB).
  let resolved: string | undefined
  tls.options.dnsLookup?.('node-1.example.cache.amazonaws.com', (_error, address) => (resolved = address))
  assert.equal(resolved, 'node-1.example.cache.amazonaws.com')
  assert.throws(() => builder.assertPrefixFits('bull'), /Prefix 'bull' has no hash tag, but redis\+cluster:\/\/:\*\*\*@127\.0\.0\.1:7000,127\.0\.0\.1:7001 is a Redis Cluster.*PIKKU_QUEUE_PREFIX='\{bull\}'/)
  builder.assertPrefixFits('{myapp}')
  builder.assertPrefixFits('{myapp}:jobs')
  new RedisClientBuilder('redis://localhost', {}, {}).assertPrefixFits('bull')
})
