import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import { LogLevel } from '@pikku/core/services'
import { pino } from 'pino'
import { PinoLogger } from '../src/logging/pino-logger.js'

/** A PinoLogger writing JSON lines into an array. */
function capture(level = 'info'): { logger: PinoLogger; lines: Record<string, any>[] } {
  const lines: Record<string, any>[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()))
      done()
    },
  })
  return { logger: new PinoLogger({ instance: pino({ level }, stream) }), lines }
}

test('messages with an error and other details become structured fields', () => {
  const { logger, lines } = capture()
  logger.error('Shutdown failed:', new Error('boom'), { queue: 'q' })
  logger.info({ jobId: '7' })
  assert.equal(lines[0]!.level, 50)
  assert.equal(lines[0]!.msg, 'Shutdown failed:')
  assert.equal(lines[0]!.err.message, 'boom')
  assert.match(lines[0]!.err.stack, /Error: boom/)
  assert.deepEqual(lines[0]!.details, [{ queue: 'q' }])
  assert.equal(lines[1]!.jobId, '7')
})

test('levels: debug is off by default, setLevel changes it', () => {
  const { logger, lines } = capture()
  logger.debug('hidden')
  logger.info('shown')
  logger.setLevel(LogLevel.warn)
  logger.info('hidden too')
  logger.warn('warned')
  assert.deepEqual(lines.map((line) => line.msg), ['shown', 'warned'])
})

test("core's per-job runner lines (through scope) go out at debug, tagged with the trace id", () => {
  const quiet = capture('info')
  const runner = quiet.logger.scope('q-42')
  runner.info('Processing job 42 in queue q')
  runner.error('Error processing job 42 in queue q:', new Error('x'))
  assert.deepEqual(quiet.lines, [], 'a healthy worker writes nothing per job at info')

  const verbose = capture('debug')
  verbose.logger.scope('q-42').info('Processing job 42 in queue q')
  assert.equal(verbose.lines[0]!.level, 20)
  assert.equal(verbose.lines[0]!.traceId, 'q-42')
  assert.equal(verbose.lines[0]!.msg, 'Processing job 42 in queue q')
})

test('LOG_LEVEL sets the default level', () => {
  const saved = process.env.LOG_LEVEL
  process.env.LOG_LEVEL = 'warn'
  try {
    assert.equal(new PinoLogger().pino.level, 'warn')
  } finally {
    if (saved === undefined) delete process.env.LOG_LEVEL
    else process.env.LOG_LEVEL = saved
  }
})

test('a huge error message or stack is logged as an excerpt', () => {
  const { logger, lines } = capture()
  logger.error('Job failed:', new Error('x'.repeat(5_000_000)))
  assert.ok(JSON.stringify(lines[0]).length < 10_000, 'the line stays small')
  assert.match(lines[0]!.err.message, /^x{500}… \(5000000 characters\)$/)
})
