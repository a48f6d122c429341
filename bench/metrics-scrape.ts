// Does scraping /metrics slow job processing? The same no-op jobs through pikku-bullmq workers,
// without the monitoring server (the baseline) and with it while /metrics is scraped far more often
// than Prometheus would, alternating rounds in one process so machine noise hits both alike.
import { spawn } from 'node:child_process'
import { Queue } from 'bullmq'
import { pikkuState, setSingletonServices } from '@pikku/core/ecosystem'
import { wireQueueWorker } from '@pikku/core/queue'
import { ConsoleLogger, LocalSecretService, LocalVariablesService, LogLevel } from '@pikku/core/services'
import { BullServiceFactory, startMonitoringServer } from 'pikku-bullmq'
import { formatRounds, summarize, type BenchSection } from './stats.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const JOBS = Number(process.env.BENCH_SCRAPE_JOBS ?? 30_000)
const ROUNDS = Number(process.env.BENCH_SCRAPE_ROUNDS ?? 16)
const CONCURRENCY = 10
/** Prometheus scrapes every 15 s by default; this is 150 times as often. */
const SCRAPE_INTERVAL_MS = 100
const QUEUE = 'bench-scrape'

// Core logs every job at info level; keep the measurement about monitoring, not the console.
const logger = new ConsoleLogger()
logger.setLevel(LogLevel.error)

interface Round {
  jobsPerSecond: number
  /** This process's CPU time (user + system) per job, in µs: less exposed to other load than wall time. */
  cpuMicrosPerJob: number
  scrapes: number
}

/**
 * Scrapes from another process, as Prometheus does, so this process's CPU time counts serving
 * the scrapes, not making them. `stop()` resolves to the number of scrapes answered.
 */
function startScraper(url: string): { stop(): Promise<number> } {
  const script = `let n = 0
const timer = setInterval(() => fetch(${JSON.stringify(url)}).then((r) => r.text()).then(() => n++, () => {}), ${SCRAPE_INTERVAL_MS})
process.on('message', () => { clearInterval(timer); process.send(n, () => process.exit(0)) })`
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return {
    stop: () =>
      new Promise<number>((resolve) => {
        child.once('message', (count) => resolve(Number(count)))
        child.send('stop')
      }),
  }
}

/** Fills a fresh queue, then times pikku-bullmq workers completing every job. */
async function measure(withMonitoring: boolean): Promise<Round> {
  const prefix = `bench-scrape-${process.pid}-${Date.now()}`
  const queue = new Queue(QUEUE, { connection: { url: REDIS_URL }, prefix })
  // Paused while workers and monitoring start, so only processing is timed.
  await queue.pause()
  for (let i = 0; i < JOBS; i += 1000) {
    const chunk = Array.from({ length: Math.min(1000, JOBS - i) }, (_, j) => ({ name: 'job', data: { i: i + j }, opts: { removeOnComplete: true } }))
    await queue.addBulk(chunk)
  }
  const factory = new BullServiceFactory({ redisUrl: REDIS_URL, prefix, logger })
  const workers = factory.getQueueWorkers()
  let done = 0
  let finished!: () => void
  const allDone = new Promise<void>((resolve) => (finished = resolve))

  await workers.registerQueues()
  workers.getWorker(QUEUE)!.on('completed', () => ++done === JOBS && finished())
  const monitoring = withMonitoring
    ? await startMonitoringServer({ queueNames: [QUEUE], queueWorkers: workers, redisUrl: REDIS_URL, prefix, port: 0, logger })
    : undefined

  const started = performance.now()
  const cpuBefore = process.cpuUsage()
  const scraper = monitoring && startScraper(`${monitoring.url}/metrics`)
  await queue.resume()
  await allDone
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  const scrapes = (await scraper?.stop()) ?? 0
  await monitoring?.close()
  await factory.close()
  await queue.obliterate({ force: true })
  await queue.close()
  return { jobsPerSecond: JOBS / seconds, cpuMicrosPerJob: (cpu.user + cpu.system) / JOBS, scrapes }
}

export async function benchMetricsScrape(): Promise<BenchSection> {
  pikkuState(null, 'function', 'meta', { noop: { pikkuFuncId: 'noop', sessionless: true, inputSchemaName: null, outputSchemaName: null } })
  pikkuState(null, 'queue', 'meta', { [QUEUE]: { pikkuFuncId: 'noop', name: QUEUE } })
  pikkuState(null, 'queue', 'registrations').clear()
  wireQueueWorker({ name: QUEUE, func: { func: async () => ({ ok: true }) }, config: { batchSize: CONCURRENCY } })
  const variables = new LocalVariablesService()
  setSingletonServices({ config: {}, logger, variables, secrets: new LocalSecretService(variables) })

  const plain: Round[] = []
  const monitored: Round[] = []
  const ratios: number[] = []
  const cpuRatios: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so warm-up and drift do not favour one side.
    const order = round % 2 ? [true, false] : [false, true]
    for (const withMonitoring of order) (withMonitoring ? monitored : plain).push(await measure(withMonitoring))
    ratios.push(monitored.at(-1)!.jobsPerSecond / plain.at(-1)!.jobsPerSecond)
    cpuRatios.push(monitored.at(-1)!.cpuMicrosPerJob / plain.at(-1)!.cpuMicrosPerJob)
  }
  const ratio = summarize(ratios)
  const cpuRatio = summarize(cpuRatios)
  const slowdownPercent = (1 - ratio.median) * 100
  const column = (rounds: Round[], key: keyof Round) => formatRounds(summarize(rounds.map((r) => r[key])))
  console.log(`metrics scrape: plain ${column(plain, 'jobsPerSecond')} jobs/s, monitored ${column(monitored, 'jobsPerSecond')} jobs/s, ratio ${formatRounds(ratio, 3)}, CPU/job ratio ${formatRounds(cpuRatio, 3)}`)
  return {
    title: 'Monitoring: job throughput while /metrics is scraped',
    markdown: `${JOBS} no-op jobs pre-loaded with \`addBulk\` (\`removeOnComplete: true\`), consumed by pikku-bullmq workers
(concurrency ${CONCURRENCY}) in this process; jobs/s from the workers' start to the last \`completed\` event. The
baseline has no monitoring server; the other side runs \`startMonitoringServer\` (its worker event
listeners, metrics and dashboard) while another process fetches \`/metrics\` every ${SCRAPE_INTERVAL_MS} ms, 150 times
Prometheus's default rate (${column(monitored, 'scrapes')} scrapes per round). ${ROUNDS} alternating rounds, median (min–max);
the timing starts when the paused queue is resumed, after workers and server are up. CPU µs/job is
this process's user + system time per job, which other load on the machine disturbs less than wall
time. Goal: scraping slows processing by less than 5%.

| | jobs/s | CPU µs/job |
| --- | --- | --- |
| without monitoring (baseline) | ${column(plain, 'jobsPerSecond')} | ${column(plain, 'cpuMicrosPerJob')} |
| with monitoring, scraped every ${SCRAPE_INTERVAL_MS} ms | ${column(monitored, 'jobsPerSecond')} | ${column(monitored, 'cpuMicrosPerJob')} |
| **ratio** (per round, monitored / baseline) | **${formatRounds(ratio, 3)}** (median slowdown ${slowdownPercent.toFixed(1)}%) | ${formatRounds(cpuRatio, 3)} |
`,
  }
}
