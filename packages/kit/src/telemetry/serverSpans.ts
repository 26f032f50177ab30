import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { redactPath } from './redaction';
import { isTracingEnabled } from './start';
import { tracer } from './tracer';

/** Paths of the probes and metrics scrapes, which get no spans. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Runs `serve` for one incoming request inside a server span, a child of the caller's span when
 * the request carries a W3C `traceparent`. The span is named `<method> <route>`, such as
 * `POST /graphql`, with the route as the service's metrics label it (never the raw path, which
 * can hold a card page token).
 *
 * This replaces `@opentelemetry/instrumentation-http` for incoming requests: measured with
 * `npm run bench:tracing`, that instrumentation cost most of the throughput lost with tracing
 * on, for requests sampled out as much as for sampled ones. The client address is not
 * recorded, because it is personal data.
 */
export function withServerSpan(
  req: IncomingMessage,
  res: ServerResponse,
  route: { path: string; label: string },
  serve: () => void,
): void {
  if (!isTracingEnabled() || UNTRACED_PATHS.has(route.path)) {
    serve();
    return;
  }
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const method = req.method ?? 'GET';
  const span = tracer.startSpan(
    `${method} ${route.label}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': method,
        'http.route': route.label,
        'url.path': redactPath(route.path),
        'url.scheme': 'http',
        'network.protocol.version': req.httpVersion,
        ...(req.headers['user-agent'] ? { 'user_agent.original': req.headers['user-agent'] } : {}),
      },
    },
    parent,
  );
  res.once('close', () => {
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    if (!res.writableFinished) span.setAttribute('error.type', 'aborted');
    span.end();
  });
  context.with(trace.setSpan(parent, span), serve);
}
