// OpenTelemetry tracing, off unless an OTLP endpoint is set (README: "Tracing"). It must start before
// the BullServiceFactory is created: the factory traces only if a tracer provider is registered then.

/** Flushes the spans still buffered and stops exporting; call it last on shutdown. */
export type StopTracing = () => Promise<void>

const PROTOCOLS = ['http/protobuf', 'http/json']
const PROPAGATORS = ['tracecontext', 'baggage']

/**
 * Registers a tracer provider that exports spans over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT
 * (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, configured by the standard variables: the
 * service name (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES), headers (OTEL_EXPORTER_OTLP_HEADERS)
 * and protocol (OTEL_EXPORTER_OTLP_PROTOCOL). Without an endpoint, or with OTEL_SDK_DISABLED=true,
 * nothing is loaded and tracing costs nothing.
 */
export async function startTracing(): Promise<StopTracing | undefined> {
  const { env } = process
  // The standard variables this setup does not honour are refused or named, never silently ignored.
  for (const name of ['OTEL_METRICS_EXPORTER', 'OTEL_LOGS_EXPORTER']) {
    if (env[name] && env[name] !== 'none') console.warn(`${name}=${env[name]} is ignored: only traces are exported over OTLP; metrics are on /metrics, logs on stdout`)
  }
  const exporter = env.OTEL_TRACES_EXPORTER || 'otlp'
  if (exporter !== 'otlp' && exporter !== 'none') {
    throw new Error(`OTEL_TRACES_EXPORTER=${exporter} is not supported here: use otlp (the default, with OTEL_EXPORTER_OTLP_ENDPOINT) or none`)
  }
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT
  if (!endpoint || exporter === 'none' || env.OTEL_SDK_DISABLED === 'true') return undefined
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf'
  if (!PROTOCOLS.includes(protocol)) {
    throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported here: use http/protobuf (the default) or http/json`)
  }
  const propagators = (env.OTEL_PROPAGATORS || 'tracecontext,baggage').split(',').map((name) => name.trim())
  const unsupported = propagators.filter((name) => !PROPAGATORS.includes(name))
  if (unsupported.length > 0) {
    throw new Error(`OTEL_PROPAGATORS=${env.OTEL_PROPAGATORS} is not supported here (${unsupported.join(', ')}): the W3C tracecontext and baggage propagators are always used; unset it`)
  }
  const [{ BatchSpanProcessor, NodeTracerProvider }, { defaultResource, detectResources, envDetector }, { OTLPTraceExporter }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
    protocol === 'http/json' ? import('@opentelemetry/exporter-trace-otlp-http') : import('@opentelemetry/exporter-trace-otlp-proto'),
  ])
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(detectResources({ detectors: [envDetector] })),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  })
  // Also installs the context manager and the W3C propagator that carry traces into jobs.
  provider.register()
  return () => provider.shutdown()
}
