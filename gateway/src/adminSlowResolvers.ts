import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readSlowResolverReport, type Logger, type Redis, type RouteHandler } from '@heartfelt/kit';

/**
 * The slow-resolver report, on the gateway under `/admin/slow-resolvers`:
 *
 *   GET /admin/slow-resolvers?minutes=15&limit=20
 *
 * lists the resolvers of the last `minutes` (1 to 120, default 15) by p95 duration, slowest
 * first, with their p50, p95, maximum, span count and the trace id of the slowest span. It is
 * computed from the resolver span samples that the subgraphs write to the cache Redis when
 * tracing is on. Every request needs `Authorization: Bearer <ADMIN_TOKEN>`.
 */
export const SLOW_RESOLVERS_PATH = '/admin/slow-resolvers';

const DEFAULT_MINUTES = 15;
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 200;
/** Time allowed for the report's Redis reads, in milliseconds. */
const REPORT_TIMEOUT_MS = 5000;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

/** Parses an optional integer query parameter; returns null when it is invalid. */
function integerParameter(url: URL, name: string, fallback: number, max: number): number | null {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,6}$/.test(raw)) return null;
  const value = Number(raw);
  return value >= 1 && value <= max ? value : null;
}

/**
 * Creates the report's route. It exists only when both the admin token and the cache Redis are
 * configured; otherwise no route is mounted and the path returns 404.
 */
export function slowResolverRoutes(options: {
  adminToken: string | undefined;
  redis: Redis | undefined;
  logger: Logger;
}): Record<string, RouteHandler> {
  const { adminToken, redis, logger } = options;
  if (!adminToken || !redis) {
    if (adminToken)
      logger.warn('ADMIN_TOKEN is set but REDIS_URL is not: /admin/slow-resolvers is off');
    return {};
  }
  const expectedDigest = sha256(adminToken);

  const handler: RouteHandler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== SLOW_RESOLVERS_PATH) {
      return sendError(res, 404, 'NOT_FOUND', `No route for ${url.pathname}.`);
    }
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    if (!bearer || !timingSafeEqual(sha256(bearer[1]!), expectedDigest)) {
      return sendError(
        res,
        401,
        'UNAUTHENTICATED',
        'The slow-resolver report requires "Authorization: Bearer <ADMIN_TOKEN>" with the gateway\'s ADMIN_TOKEN.',
        { 'www-authenticate': 'Bearer realm="admin"' },
      );
    }
    if (req.method !== 'GET') {
      return sendError(res, 405, 'METHOD_NOT_ALLOWED', 'Use GET.', { allow: 'GET' });
    }
    const minutes = integerParameter(url, 'minutes', DEFAULT_MINUTES, 120);
    const limit = integerParameter(url, 'limit', DEFAULT_LIMIT, MAX_LIMIT);
    if (minutes === null || limit === null) {
      return sendError(
        res,
        400,
        'BAD_REQUEST',
        `minutes must be an integer from 1 to 120 and limit one from 1 to ${MAX_LIMIT}.`,
      );
    }

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), REPORT_TIMEOUT_MS);
    });
    try {
      const report = await Promise.race([
        readSlowResolverReport(redis, { minutes, limit }),
        timedOut,
      ]);
      if (report === 'timeout') {
        return sendError(
          res,
          503,
          'CACHE_REDIS_UNAVAILABLE',
          `The cache Redis did not respond within ${REPORT_TIMEOUT_MS} ms; check that it is running and that REDIS_URL names it.`,
        );
      }
      sendJson(res, 200, report);
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'slow-resolver report failed');
      sendError(
        res,
        503,
        'CACHE_REDIS_UNAVAILABLE',
        'The cache Redis could not be read; retry later.',
      );
    } finally {
      clearTimeout(timer);
    }
  };

  logger.info({ path: SLOW_RESOLVERS_PATH }, 'slow-resolver report enabled');
  return { [SLOW_RESOLVERS_PATH]: handler };
}
