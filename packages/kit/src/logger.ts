import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';
import { currentRequestScope } from './requestScope';

export type { Logger };

/**
 * Paths removed from every log record. Request inputs are never logged whole, but a stray
 * object carrying one of these must not put a secret or personal data into the logs.
 */
const redactPaths = [
  'password',
  'newPassword',
  'token',
  'accessToken',
  'paymentToken',
  'email',
  'authorization',
  'cookie',
  '*.password',
  '*.newPassword',
  '*.token',
  '*.accessToken',
  '*.paymentToken',
  '*.email',
  '*.authorization',
  '*.cookie',
  'variables.*.password',
  'variables.*.email',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-heartfelt-gateway-token"]',
  'req.headers["x-heartfelt-admin-token"]',
  'headers.authorization',
  'headers["x-heartfelt-gateway-token"]',
  'headers["x-heartfelt-admin-token"]',
  // A MongoDB duplicate key error repeats the key, which for `emails` is the address.
  'err.keyValue',
  'err.errorResponse',
];

/** Email addresses, JWTs, bearer credentials and passwords in URLs, as found in free text. */
const sensitiveText: Array<[RegExp, string]> = [
  [/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '[email]'],
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[jwt]'],
  [/\b(Bearer|Basic)\s+[\w.~+/=-]+/gi, '$1 [redacted]'],
  [/(\/\/[^/\s:@]*:)[^/\s@]+@/g, '$1[redacted]@'],
];

/** Replaces email addresses, tokens and URL passwords in `text` with placeholders. */
export function scrubSensitiveText(text: string): string {
  let scrubbed = text;
  for (const [pattern, replacement] of sensitiveText) {
    scrubbed = scrubbed.replace(pattern, replacement);
  }
  return scrubbed;
}

/**
 * Serializes an error as pino does, with its message and stack scrubbed: driver and library
 * messages may quote the value that failed, such as the address of a duplicate key.
 */
function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) {
    return typeof error === 'string' ? scrubSensitiveText(error) : error;
  }
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  for (const field of ['message', 'stack'] as const) {
    const value = serialized[field];
    if (typeof value === 'string') serialized[field] = scrubSensitiveText(value);
  }
  return serialized;
}

/**
 * Adds the active span's trace and span ids (OpenTelemetry log field names), and the operation
 * name and subgraph of the request being served, to every record. Works with whichever
 * tracer provider is registered, and adds no ids when none is.
 */
function correlationFields(): Record<string, string> {
  const fields: Record<string, string> = {};
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext && isSpanContextValid(spanContext)) {
    fields.trace_id = spanContext.traceId;
    fields.span_id = spanContext.spanId;
    fields.trace_flags = `0${spanContext.traceFlags.toString(16)}`.slice(-2);
  }
  const scope = currentRequestScope();
  if (scope?.operation) fields.operation = scope.operation;
  if (scope?.subgraph) fields.subgraph = scope.subgraph;
  return fields;
}

/**
 * Creates the process logger: JSON lines on stdout, one `service` field on every record, the
 * request's trace ids, operation and subgraph when there is one, and secrets removed.
 *
 * Levels: `error` for a failure the process caught and did not pass on (a masked resolver
 * error, a failed subgraph fetch), `warn` for degraded service (a dependency down, a job that
 * failed and will be retried), `info` for start, stop and configuration changes, `debug` for
 * one record per request.
 */
export function createLogger(
  service: string,
  level = 'info',
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    mixin: correlationFields,
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: { err: serializeError },
    hooks: {
      // A message is written by our code, but may interpolate a value; scrub it too.
      logMethod(args, method) {
        const last = args.length - 1;
        if (typeof args[last] === 'string') args[last] = scrubSensitiveText(args[last]);
        method.apply(this, args);
      },
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
