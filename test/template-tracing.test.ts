// The template's src/tracing.ts, run as a generated project runs it: off without an endpoint, and
// the standard OTEL_* settings it does not honour refused (or, for metrics and logs, named).
import assert from 'node:assert/strict'
import { afterEach, test } from 'node:test'

// Loaded by path, so the type check of these tests does not need the SDK packages only a generated project installs.
const TRACING = new URL('../templates/bullmq/src/tracing.ts', import.meta.url).href
const { startTracing } = (await import(TRACING)) as { startTracing: () => Promise<(() => Promise<void>) | undefined> }

const NAMES = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_TRACES_EXPORTER', 'OTEL_PROPAGATORS', 'OTEL_LOGS_EXPORTER', 'OTEL_SDK_DISABLED']
const saved = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]))
afterEach(() => {
  for (const name of NAMES) {
    if (saved[name] === undefined) delete process.env[name]
    else process.env[name] = saved[name]
  }
})

function setEnv(values: Record<string, string>): void {
  for (const name of NAMES) delete process.env[name]
  Object.assign(process.env, values)
}

test('without an endpoint, or with OTEL_TRACES_EXPORTER=none, tracing stays off and loads nothing', async () => {
  setEnv({})
  assert.equal(await startTracing(), undefined)
  setEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' })
  assert.equal(await startTracing(), undefined)
})

test('settings this setup does not honour are refused with what to write instead', async () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }
  for (const [values, message] of [
    [{ ...endpoint, OTEL_TRACES_EXPORTER: 'console' }, /^OTEL_TRACES_EXPORTER=console is not supported here: use otlp .* or none$/],
    [{ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, /^OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported here: use http\/protobuf .* or http\/json$/],
    [{ ...endpoint, OTEL_PROPAGATORS: 'tracecontext,b3' }, /^OTEL_PROPAGATORS=tracecontext,b3 is not supported here \(b3\)/],
  ] as const) {
    setEnv(values)
    await assert.rejects(startTracing(), { message })
  }
})

test('OTEL_LOGS_EXPORTER is named as ignored', async (t) => {
  const warnings: string[] = []
  t.mock.method(console, 'warn', (line: string) => void warnings.push(line))
  setEnv({ OTEL_LOGS_EXPORTER: 'otlp' })
  assert.equal(await startTracing(), undefined)
  assert.deepEqual(warnings, ['OTEL_LOGS_EXPORTER=otlp is ignored: only traces are exported over OTLP; metrics are on /metrics, logs on stdout'])
})
