import { z } from 'zod';
import { loadConfig } from '../config';

const toBoolean = (value: 'true' | 'false') => value === 'true';

/** Libraries instrumented when tracing is on. */
export const LIBRARY_INSTRUMENTATIONS = ['undici', 'ioredis'] as const;
export type LibraryInstrumentation = (typeof LIBRARY_INSTRUMENTATIONS)[number];

/**
 * Tracing settings, by the names the OpenTelemetry specification gives them, plus the two of
 * this project (TRACE_GRAPHQL_DOCUMENT, TRACE_SLOW_RESOLVER_SAMPLES). Exporter headers,
 * compression and timeout (`OTEL_EXPORTER_OTLP_HEADERS` and friends) are read by the OTLP
 * exporter itself.
 */
export const telemetrySettings = {
  /** "true" turns tracing off whatever else is set. */
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).default('false').transform(toBoolean),
  /**
   * `otlp`, `console` or `none`. Unset means `otlp` when an OTLP endpoint is set, else tracing
   * is off.
   */
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'console', 'none']).optional(),
  /** Base URL of the OTLP receiver; traces go to `<url>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /** Full URL for traces, used as is; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /** OTLP encoding. gRPC is not supported: use a collector's HTTP receiver (port 4318). */
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json']).default('http/protobuf'),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.enum(['http/protobuf', 'http/json']).optional(),
  /** Replaces the service name the process gives itself (`gateway`, `cards-worker` …). */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Extra resource attributes, `key=value,key=value`. */
  OTEL_RESOURCE_ATTRIBUTES: z.string().optional(),
  OTEL_TRACES_SAMPLER: z
    .enum([
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ])
    .default('parentbased_always_on'),
  /**
   * Library instrumentations left off, comma-separated: `undici`, `ioredis` (the names
   * `@opentelemetry/auto-instrumentations-node` reads from this variable). Without `undici`,
   * subgraph fetches carry no `traceparent`, so each subgraph starts its own trace.
   */
  OTEL_NODE_DISABLED_INSTRUMENTATIONS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const names = value
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '');
      const unknown = names.filter((name) => !LIBRARY_INSTRUMENTATIONS.includes(name as never));
      if (unknown.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown instrumentation ${unknown.join(', ')}; the names are ${LIBRARY_INSTRUMENTATIONS.join(', ')}`,
        });
        return z.NEVER;
      }
      return new Set(names as LibraryInstrumentation[]);
    }),
  /** Sampling probability of the `traceidratio` samplers, from 0 to 1. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  /** Delay between two exports of finished spans, in milliseconds. */
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(1).default(5000),
  /** Time allowed for one export, in milliseconds. */
  OTEL_BSP_EXPORT_TIMEOUT: z.coerce.number().int().min(1).default(30_000),
  /** Finished spans kept while waiting for export; spans beyond it are dropped. */
  OTEL_BSP_MAX_QUEUE_SIZE: z.coerce.number().int().min(1).default(2048),
  /** Most spans sent in one export. */
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: z.coerce.number().int().min(1).default(512),
  /**
   * Adds the operation document, with its literal values removed, to each GraphQL operation
   * span as `graphql.document`. Off by default, because documents written by clients can carry
   * personal data in arguments.
   */
  TRACE_GRAPHQL_DOCUMENT: z.enum(['true', 'false']).default('false').transform(toBoolean),
  /**
   * Most resolver span samples kept per minute in the cache Redis for the slow-resolver report,
   * across all services; the newest are kept. 0 turns the recording off.
   */
  TRACE_SLOW_RESOLVER_SAMPLES: z.coerce.number().int().min(0).max(100_000).default(5000),
};

export type TelemetrySettings = z.infer<z.ZodObject<typeof telemetrySettings>>;

/** Reads and validates the tracing settings; raises a ConfigError naming each bad one. */
export function loadTelemetrySettings(env: NodeJS.ProcessEnv = process.env): TelemetrySettings {
  const settings = loadConfig(telemetrySettings, env);
  const ratioSampler = settings.OTEL_TRACES_SAMPLER.endsWith('traceidratio');
  if (ratioSampler && settings.OTEL_TRACES_SAMPLER_ARG === undefined) {
    settings.OTEL_TRACES_SAMPLER_ARG = 1;
  }
  return settings;
}

/**
 * Returns the URL spans are exported to, or null when tracing is off: when the SDK is
 * disabled, the exporter is `none`, or neither an exporter nor an OTLP endpoint is set.
 * `console` returns the string `console`.
 */
export function traceExportTarget(settings: TelemetrySettings): string | null {
  if (settings.OTEL_SDK_DISABLED) return null;
  const endpoint =
    settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (settings.OTEL_EXPORTER_OTLP_ENDPOINT
      ? `${settings.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces`
      : undefined);
  switch (settings.OTEL_TRACES_EXPORTER) {
    case 'none':
      return null;
    case 'console':
      return 'console';
    case 'otlp':
      // The specification's default endpoint, on this machine.
      return endpoint ?? 'http://localhost:4318/v1/traces';
    default:
      return endpoint ?? null;
  }
}
