// OpenTelemetry tracing, off unless an OTLP endpoint is set (README: "Tracing"). It must start before
// the BullServiceFactory is created: the factory traces only if a tracer provider is registered then.

/** Flushes the spans still buffered and stops exporting; call it last on shutdown. */
export type StopTracing = () => Promise<void>

const PROTOCOLS = ['http/protobuf', 'http/json']

/**
 * Registers a tracer provider that exports spans over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT
 * (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, configured by the standard variables: the
 * service name (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES), headers (OTEL_EXPORTER_OTLP_HEADERS)
 * and protocol (OTEL_EXPORTER_OTLP_PROTOCOL). Without an endpoint, or with OTEL_SDK_DISABLED=true,
 * nothing is loaded and tracing costs nothing.
 */
export async function startTracing(): Promise<StopTracing | undefined> {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT
  if (!endpoint || process.env.OTEL_SDK_DISABLED === 'true') return undefined
  const protocol = process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || process.env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf'
  if (!PROTOCOLS.includes(protocol)) {
    throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported here: use http/protobuf (the default) or http/json`)
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
