// What tracing costs a user: the generated project's compiled server with tracing off (its default)
// and on (OTLP/HTTP protobuf, the template's default protocol, to a collector stand-in on 127.0.0.1),
// each against raw BullMQ, alternating in one run.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { measureThroughput } from './out-of-box-throughput.js'
import { formatRounds, summarize, type BenchSection } from './stats.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const JOBS = Number(process.env.BENCH_JOBS ?? 10_000)
const CONCURRENCY = [1, 10]

/** Accepts every export and throws it away, as a collector that keeps up would. */
async function startCollectorStandIn(): Promise<{ endpoint: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0
  const server = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      requests++
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

export async function benchTracingOverhead(app: string): Promise<BenchSection> {
  const collector = await startCollectorStandIn()
  const lines: string[] = []
  try {
    for (const concurrency of CONCURRENCY) {
      const sides = [
        { name: 'raw', run: () => measureThroughput('bullmq', app, 'bench-noop', JOBS, concurrency, 1) },
        { name: 'off', run: () => measureThroughput('pikku', app, 'bench-noop', JOBS, concurrency, 1, { OTEL_EXPORTER_OTLP_ENDPOINT: '' }) },
        { name: 'on', run: () => measureThroughput('pikku', app, 'bench-noop', JOBS, concurrency, 1, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_SERVICE_NAME: 'bench' }) },
      ] as const
      const rates: Record<string, number[]> = { raw: [], off: [], on: [] }
      const offRatios: number[] = []
      const onRatios: number[] = []
      const costUs: number[] = []
      for (let round = 0; round < ROUNDS; round++) {
        // Rotate the order so warm-up and drift favour no side.
        for (let i = 0; i < sides.length; i++) {
          const side = sides[(i + round) % sides.length]!
          rates[side.name]!.push(await side.run())
        }
        offRatios.push(rates.off!.at(-1)! / rates.raw!.at(-1)!)
        onRatios.push(rates.on!.at(-1)! / rates.raw!.at(-1)!)
        costUs.push((1 / rates.on!.at(-1)! - 1 / rates.off!.at(-1)!) * 1e6)
      }
      console.log(`tracing c=${concurrency}: off ${formatRounds(summarize(offRatios), 2)}, on ${formatRounds(summarize(onRatios), 2)}, +${formatRounds(summarize(costUs))} µs/job`)
      lines.push(
        `| ${concurrency} | ${formatRounds(summarize(rates.raw!))} | ${formatRounds(summarize(rates.off!))} | **${formatRounds(summarize(offRatios), 2)}** | ${formatRounds(summarize(rates.on!))} | **${formatRounds(summarize(onRatios), 2)}** | ${formatRounds(summarize(costUs))} |`,
      )
    }
    if (collector.requests() === 0) throw new Error('tracing on exported nothing: the bench measured no tracing')
  } finally {
    await collector.close()
  }
  return {
    title: 'Tracing: off (the default) and on, against raw BullMQ',
    markdown: `The compiled server of the throughput rows above, on ${JOBS} pre-loaded no-op jobs (one process), with tracing
off (no \`OTEL_EXPORTER_OTLP_ENDPOINT\`: nothing is loaded) and on (\`OTEL_EXPORTER_OTLP_ENDPOINT\` set: BullMQ's
and Pikku's spans, batched and exported over OTLP/HTTP protobuf to a stand-in collector on 127.0.0.1 that
discards them), against raw BullMQ. ${ROUNDS} rounds, the three sides rotating; jobs/s and ratios (per round)
as median (min–max). The cost per job is the difference of the time per job, on − off, per round.

| concurrency | raw BullMQ jobs/s | tracing off jobs/s | off / raw | tracing on jobs/s | on / raw | tracing cost µs/job |
| --- | --- | --- | --- | --- | --- | --- |
${lines.join('\n')}
`,
  }
}
