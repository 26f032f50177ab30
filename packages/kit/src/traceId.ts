import { randomBytes } from 'node:crypto';
import { isSpanContextValid, trace } from '@opentelemetry/api';

/**
 * Returns the id that ties a client's error to the server's log line. It is the active
 * OpenTelemetry trace id when a tracing SDK records one. Otherwise it is a fresh random id of the
 * same form (32 hex digits), which then exists only in that log line and that response.
 */
export function currentTraceId(): string {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext && isSpanContextValid(spanContext)) return spanContext.traceId;
  return randomBytes(16).toString('hex');
}

/** Returns true for a string of the form trace ids take, so one may be passed on as is. */
export function isTraceId(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{32}$/.test(value);
}
