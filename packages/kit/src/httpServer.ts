import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  HeaderMap,
  type ApolloServer,
  type BaseContext,
  type HTTPGraphQLResponse,
} from '@apollo/server';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';
import { withOperationSpan } from './telemetry/operationSpan';
import { runInRequestScope } from './requestScope';
import { withServerSpan } from './telemetry/serverSpans';

/** Raised while reading a request that cannot be served; carries the HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Route handler for non-GraphQL paths such as `/explorer`. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions<Context extends BaseContext> {
  apollo: ApolloServer<Context>;
  /** Builds the per-request context. Throw an {@link HttpError} to reject before parsing. */
  context: (req: IncomingMessage) => Promise<Context>;
  /** Readiness checks by dependency name; `/readyz` is 200 only when all pass. */
  readiness: Record<string, () => Promise<unknown>>;
  metrics: ServiceMetrics;
  logger: Logger;
  host: string;
  port: number;
  /** Largest accepted request body in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Extra routes by exact path. */
  routes?: Record<string, RouteHandler>;
  /** Extra routes by path prefix, such as `/c/`; the longest matching prefix wins. */
  prefixRoutes?: Record<string, RouteHandler>;
  /** Path of the GraphQL endpoint. Default `/graphql`. */
  graphqlPath?: string;
  /** Page served for a browser's GET of the GraphQL endpoint (an explorer), if any. */
  graphqlHtmlPage?: RouteHandler;
}

/** A started HTTP server and its drain-then-close shutdown. */
export interface RunningHttpServer {
  server: http.Server;
  port: number;
  /** Stops accepting connections and waits up to `graceMs` for in-flight requests. */
  close(graceMs?: number): Promise<void>;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(payload);
}

/** Reads the body up to a size limit, rejecting larger bodies with 413 before buffering them. */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    throw new HttpError(413, `Request body exceeds ${maxBytes} bytes.`, 'PAYLOAD_TOO_LARGE');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      throw new HttpError(413, `Request body exceeds ${maxBytes} bytes.`, 'PAYLOAD_TOO_LARGE');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === '') return undefined;
  if (contentType?.startsWith('application/json')) {
    try {
      return JSON.parse(raw);
    } catch {
      throw new HttpError(400, 'Request body is not valid JSON.', 'BAD_REQUEST');
    }
  }
  return raw;
}

function matchPrefix(
  routes: Record<string, RouteHandler> | undefined,
  path: string,
): RouteHandler | undefined {
  if (!routes) return undefined;
  const prefix = Object.keys(routes)
    .filter((key) => path.startsWith(key))
    .sort((a, b) => b.length - a.length)[0];
  return prefix === undefined ? undefined : routes[prefix];
}

/** Returns true for a browser navigating to the endpoint: a GET with no query that accepts HTML. */
function wantsHtmlPage(req: IncomingMessage, url: URL): boolean {
  return (
    req.method === 'GET' &&
    !url.searchParams.has('query') &&
    (req.headers.accept ?? '').includes('text/html')
  );
}

function toHeaderMap(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

async function writeGraphQLResponse(res: ServerResponse, response: HTTPGraphQLResponse) {
  res.statusCode = response.status ?? 200;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/**
 * Starts the HTTP server of a service: GraphQL on `graphqlPath`, liveness on `/healthz`,
 * readiness on `/readyz` and Prometheus metrics on `/metrics`.
 */
export async function startHttpServer<Context extends BaseContext>(
  options: HttpServerOptions<Context>,
): Promise<RunningHttpServer> {
  const { apollo, logger, metrics } = options;
  const graphqlPath = options.graphqlPath ?? '/graphql';
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  let draining = false;

  const handleGraphQL = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    // The context is built first: a subgraph rejects unsigned requests before reading the body.
    const context = await options.context(req);
    const raw = await readBody(req, maxBodyBytes);
    const response = await withOperationSpan(() =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: req.method ?? 'GET',
          headers: toHeaderMap(req),
          search: url.search,
          body: parseBody(raw, req.headers['content-type']),
        },
        context: async () => context,
      }),
    );
    await writeGraphQLResponse(res, response);
  };

  const handleReady = async (res: ServerResponse) => {
    const results: Record<string, string> = {};
    let ready = !draining;
    await Promise.all(
      Object.entries(options.readiness).map(async ([name, check]) => {
        try {
          await check();
          results[name] = 'ok';
        } catch (error) {
          ready = false;
          results[name] = error instanceof Error ? error.message : 'failed';
        }
      }),
    );
    sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: results });
  };

  /** Returns the route a path is counted and traced under: the path, its prefix or `other`. */
  const routeLabel = (route: string): string => {
    const prefix = Object.keys(options.prefixRoutes ?? {}).find((key) => route.startsWith(key));
    return route === graphqlPath || options.routes?.[route] ? route : (prefix ?? 'other');
  };

  const serve = (req: IncomingMessage, res: ServerResponse, url: URL, label: string) => {
    const route = url.pathname;
    res.on('finish', () => {
      metrics.httpRequests.inc({ route: label, status: String(res.statusCode) });
    });

    const handle = async () => {
      if (route === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (route === '/readyz') return handleReady(res);
      if (route === '/metrics') {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        return res.end(await metrics.registry.metrics());
      }
      if (route === graphqlPath) {
        if (options.graphqlHtmlPage && wantsHtmlPage(req, url)) {
          return options.graphqlHtmlPage(req, res);
        }
        return handleGraphQL(req, res, url);
      }
      const custom = options.routes?.[route] ?? matchPrefix(options.prefixRoutes, route);
      if (custom) return custom(req, res);
      sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `No route for ${route}.` } });
    };

    runInRequestScope({}, handle).catch((error: unknown) => {
      if (error instanceof HttpError) {
        metrics.graphqlErrors.inc({ code: error.code });
        if (!res.headersSent) {
          sendJson(res, error.status, {
            errors: [{ message: error.message, extensions: { code: error.code } }],
          });
        }
        // Drop the rest of an oversized or rejected upload instead of reading it.
        if (error.status === 413) req.destroy();
        return;
      }
      logger.error({ err: error, route }, 'unhandled error while serving a request');
      metrics.graphqlErrors.inc({ code: 'INTERNAL_SERVER_ERROR' });
      if (!res.headersSent) {
        sendJson(res, 500, {
          errors: [
            { message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
          ],
        });
      } else {
        res.destroy();
      }
    });
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const label = routeLabel(url.pathname);
    withServerSpan(req, res, { path: url.pathname, label }, () => serve(req, res, url, label));
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    server,
    port,
    async close(graceMs = 10_000) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}
