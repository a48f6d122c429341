import { createRequire } from 'node:module'
import { ProxyTracerProvider, trace } from '@opentelemetry/api'
import type { Telemetry } from 'bullmq'
import { BullMQOtel } from 'bullmq-otel'

/** The tracer name and version pikku-bullmq's spans carry, BullMQ's and Pikku's alike. */
export const TRACER_NAME = 'pikku-bullmq'
export const { version: TRACER_VERSION } = createRequire(import.meta.url)('../../package.json') as { version: string }

/**
 * BullMQ's telemetry for every Queue and Worker the runtime creates, so a producer's `add` and each
 * attempt's `process` span form one trace (BullMQ carries the context in the job's options).
 *
 * - `option` given: that instance (e.g. your own `BullMQOtel` with metrics), or `false` for none;
 * - otherwise on when the app has registered an OpenTelemetry tracer provider before creating the
 *   factory (`NodeSDK.start()`, `provider.register()`), and off (BullMQ skips all span work) when
 *   it has not.
 */
export function resolveBullMQTelemetry(option: Telemetry | false | undefined): Telemetry | undefined {
  if (option === false) return undefined
  if (option) return option
  return hasRegisteredTracerProvider() ? new BullMQOtel({ tracerName: TRACER_NAME, version: TRACER_VERSION }) : undefined
}

/** Whether the app registered a tracer provider. The API's global provider is a proxy whose delegate stays the no-op one until an SDK registers itself. */
export function hasRegisteredTracerProvider(): boolean {
  const provider = trace.getTracerProvider()
  if (!(provider instanceof ProxyTracerProvider)) return true
  return provider.getDelegate().constructor !== new ProxyTracerProvider().getDelegate().constructor
}
