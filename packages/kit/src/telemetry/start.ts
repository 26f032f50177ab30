// This module is loaded before any instrumented library (undici, ioredis): it imports
// OpenTelemetry and the settings only, never the kit's index. Incoming HTTP requests get their
// server spans from the kit's HTTP server (serverSpans.ts), not from an instrumentation.
import { propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import {
  detectResources,
  envDetector,
  hostDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { ConfigError } from '../config';
import { ChildSpanLimit } from './childSpanLimit';
import { redactedUrlAttributes } from './redaction';
import { ResolverSampleRecorder } from './resolverSamples';
import {
  loadTelemetrySettings,
  traceExportTarget,
  type LibraryInstrumentation,
  type TelemetrySettings,
} from './settings';

/** Redis and store spans exported per parent span; see {@link ChildSpanLimit}. */
const MAX_DATABASE_SPANS_PER_PARENT = 20;

/** The running tracing setup of this process, when tracing is on. */
interface TracingState {
  provider: NodeTracerProvider;
  settings: TelemetrySettings;
  resolverSamples: ResolverSampleRecorder | null;
}

let state: TracingState | null = null;

function buildSampler(settings: TelemetrySettings): Sampler {
  const ratio = settings.OTEL_TRACES_SAMPLER_ARG ?? 1;
  switch (settings.OTEL_TRACES_SAMPLER) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function buildExporter(settings: TelemetrySettings, target: string): SpanExporter {
  if (target === 'console') return new ConsoleSpanExporter();
  const protocol =
    settings.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? settings.OTEL_EXPORTER_OTLP_PROTOCOL;
  return protocol === 'http/json'
    ? new OtlpJsonExporter({ url: target })
    : new OtlpProtobufExporter({ url: target });
}

function instrumentLibraries(disabled: ReadonlySet<LibraryInstrumentation>): void {
  const instrumentations: Instrumentation[] = [];
  if (!disabled.has('undici')) {
    instrumentations.push(
      new UndiciInstrumentation({
        requireParentforSpans: true,
        startSpanHook: (request) =>
          redactedUrlAttributes(new URL(request.path, request.origin), { full: true }),
      }),
    );
  }
  if (!disabled.has('ioredis')) {
    instrumentations.push(
      new IORedisInstrumentation({
        // BullMQ polls the queue Redis all the time; only commands made for a request or a job
        // get spans.
        requireParentSpan: true,
        // Keys and values can name users and hold cached documents: record the command only.
        dbStatementSerializer: (command) => command,
      }),
    );
  }
  registerInstrumentations({ instrumentations });
}

/**
 * Starts tracing for this process when the settings turn it on (see {@link traceExportTarget}),
 * and does nothing otherwise: no provider is registered, so every span is the API's no-op.
 * Must run before the libraries it instruments are loaded, which is why every entry point
 * imports its `tracing` module on its first line. Invalid settings end the process with
 * status 78, like every configuration error.
 */
export function startTracing(serviceName: string): void {
  // NOTE: once on, tracing costs every request, sampled or not, context propagation and the
  // instrumentations' wrappers: 22-24% of throughput at a 5% sample rate in bench:tracing.
  if (state) return;
  let settings: TelemetrySettings;
  try {
    settings = loadTelemetrySettings();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${serviceName}: ${error.message}\n`);
    process.exit(78);
  }
  const target = traceExportTarget(settings);
  if (target === null) return;

  // Only detectors that read this process and its environment: the cloud detectors query
  // metadata addresses, and this service connects to nothing it was not configured for.
  const resource = resourceFromAttributes({ 'service.name': serviceName }).merge(
    detectResources({ detectors: [envDetector, hostDetector] }),
  );
  const resolverSamples =
    settings.TRACE_SLOW_RESOLVER_SAMPLES > 0
      ? new ResolverSampleRecorder({ maxSamplesPerMinute: settings.TRACE_SLOW_RESOLVER_SAMPLES })
      : null;
  const exportProcessor = new BatchSpanProcessor(buildExporter(settings, target), {
    scheduledDelayMillis: settings.OTEL_BSP_SCHEDULE_DELAY,
    exportTimeoutMillis: settings.OTEL_BSP_EXPORT_TIMEOUT,
    maxQueueSize: settings.OTEL_BSP_MAX_QUEUE_SIZE,
    maxExportBatchSize: settings.OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
  });
  const spanProcessors: SpanProcessor[] = [
    new ChildSpanLimit(exportProcessor, MAX_DATABASE_SPANS_PER_PARENT),
  ];
  if (resolverSamples) spanProcessors.push(resolverSamples);

  const provider = new NodeTracerProvider({
    resource,
    sampler: buildSampler(settings),
    spanProcessors,
  });
  // Registers the provider globally with the AsyncLocalStorage context manager and the W3C
  // trace context and baggage propagators.
  provider.register();
  instrumentLibraries(settings.OTEL_NODE_DISABLED_INSTRUMENTATIONS);
  state = { provider, settings, resolverSamples };
}

/** Returns true when this process exports spans. */
export function isTracingEnabled(): boolean {
  return state !== null;
}

/** Returns the tracing settings when tracing is on, else null. */
export function activeTelemetrySettings(): TelemetrySettings | null {
  return state?.settings ?? null;
}

/** Returns the recorder of resolver span samples, when tracing and the recording are on. */
export function resolverSampleRecorder(): ResolverSampleRecorder | null {
  return state?.resolverSamples ?? null;
}

/** Exports the spans still buffered and stops tracing; a no-op when tracing is off. */
export async function shutdownTracing(): Promise<void> {
  if (!state) return;
  const { provider } = state;
  state = null;
  await provider.shutdown();
  trace.disable();
  propagation.disable();
}
