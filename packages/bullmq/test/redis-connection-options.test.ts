import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createConnectionOptions, parseRedisUrl } from '../src/index.js'

test('parseRedisUrl: host and port, with defaults', () => {
  assert.deepEqual(parseRedisUrl('redis://127.0.0.1:6379'), { host: '127.0.0.1', port: 6379 })
  assert.deepEqual(parseRedisUrl('redis://cache.internal'), { host: 'cache.internal', port: 6379 })
  assert.deepEqual(parseRedisUrl('redis://[::1]:7000'), { host: '::1', port: 7000 })
})

test('parseRedisUrl: user, password (percent-decoded) and db', () => {
  assert.deepEqual(parseRedisUrl('redis://alice:p%40ss%3Aword@redis.example.com:6380/3'), {
    host: 'redis.example.com',
    port: 6380,
    username: 'alice',
    password: 'p@ss:word',
    db: 3,
  })
  // Password only, the form most hosted Redis URLs use.
  assert.deepEqual(parseRedisUrl('redis://:secret@localhost/0'), { host: 'localhost', port: 6379, password: 'secret', db: 0 })
})

test('parseRedisUrl: rediss:// turns TLS on', () => {
  assert.deepEqual(parseRedisUrl('rediss://default:tok@eu1.upstash.io:6379'), {
    host: 'eu1.upstash.io',
    port: 6379,
    username: 'default',
    password: 'tok',
    tls: {},
  })
  assert.equal(parseRedisUrl('redis://localhost').tls, undefined)
})

test('parseRedisUrl: rejects other schemes, bad dbs and garbage, without leaking the password', () => {
  assert.throws(() => parseRedisUrl('http://localhost:6379'), /Unsupported Redis URL scheme 'http:'/)
  assert.throws(() => parseRedisUrl('redis://localhost/cache'), /Invalid Redis database 'cache'/)
  assert.throws(() => parseRedisUrl('localhost:6379'), /Unsupported Redis URL scheme/)
  assert.throws(
    () => parseRedisUrl('redis://user:hunter2@host/x'),
    (error: Error) => /user:\*\*\*@host/.test(error.message) && !error.message.includes('hunter2')
  )
  assert.throws(() => parseRedisUrl('not a url'), /Invalid Redis URL/)
})

test('createConnectionOptions: producers fail fast, blocking connections retry forever, overrides merged', () => {
  const { producer, blocking } = createConnectionOptions('redis://:pw@redis:6380/1', { connectionName: 'app', db: 2 })
  assert.deepEqual(producer, { host: 'redis', port: 6380, password: 'pw', db: 2, connectionName: 'app', enableOfflineQueue: false })
  assert.deepEqual(blocking, { host: 'redis', port: 6380, password: 'pw', db: 2, connectionName: 'app', maxRetriesPerRequest: null })
  // Workers must not get a finite maxRetriesPerRequest even if the caller passes one.
  assert.equal(createConnectionOptions('redis://localhost', { maxRetriesPerRequest: 3 }).blocking.maxRetriesPerRequest, null)
})
