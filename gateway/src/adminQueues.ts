import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createQueue,
  createQueueRedis,
  QueueName,
  type Logger,
  type RouteHandler,
} from '@heartfelt/kit';

/**
 * The operator view of the job queues, on the gateway under `/admin/queues`:
 *
 *   GET  /admin/queues                        job counts by state (waiting, active, delayed,
 *                                             failed, completed, and paused as BullMQ adds it)
 *                                             and the latest 20 failed jobs of every queue
 *   GET  /admin/queues/<queue>/failed         the latest 100 failed jobs of one queue
 *   POST /admin/queues/<queue>/retry/<jobId>  moves a failed job back to waiting
 *
 * Every request needs `Authorization: Bearer <ADMIN_TOKEN>`. Responses list job ids, names,
 * attempts and failure reasons, never job data, which may hold personal data.
 */
export const ADMIN_QUEUES_PATH = '/admin/queues';

/** Failed jobs listed per queue in the overview. */
const OVERVIEW_FAILED_JOBS = 20;
/** Failed jobs listed by the failed-jobs route. */
const MAX_FAILED_JOBS = 100;
/**
 * Time allowed for the queue Redis commands of one request, in milliseconds. The queue client
 * waits through outages instead of failing, so without a limit a request would hang.
 */
const QUEUE_REDIS_TIMEOUT_MS = 5000;

const jobStates = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

type Queue = ReturnType<typeof createQueue>;
type Job = Awaited<ReturnType<Queue['getFailed']>>[number];

/** The routes to mount on the gateway and the cleanup for its shutdown. */
export interface AdminQueueRoutes {
  /** Routes by path prefix, for startHttpServer; empty when the view is turned off. */
  prefixRoutes: Record<string, RouteHandler>;
  /** Closes the queue clients. */
  close(): Promise<void>;
}

/** A failed job as the view lists it. */
interface FailedJobSummary {
  id: string | undefined;
  name: string;
  attemptsMade: number;
  failedReason: string;
  /** When the job was added, ISO-8601. */
  timestamp: string;
  /** When its last attempt failed, ISO-8601. */
  failedAt: string | null;
}

/** Raised while serving a request; becomes a JSON error response with `status`. */
class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * Creates the operator view of the queues. It exists only when both the admin token and the
 * queue Redis URL are set; otherwise no route is mounted and its paths return 404.
 */
export function adminQueueRoutes(options: {
  adminToken: string | undefined;
  queueRedisUrl: string | undefined;
  logger: Logger;
}): AdminQueueRoutes {
  const { adminToken, queueRedisUrl, logger } = options;
  if (!adminToken || !queueRedisUrl) {
    if (adminToken)
      logger.warn('ADMIN_TOKEN is set but QUEUE_REDIS_URL is not: /admin/queues is off');
    return { prefixRoutes: {}, close: async () => {} };
  }

  const connection = createQueueRedis(queueRedisUrl, logger);
  const queues = new Map<string, Queue>(
    Object.values(QueueName).map((name) => [name, createQueue(name, connection)]),
  );
  const expectedDigest = sha256(adminToken);

  const handler: RouteHandler = async (req, res) => {
    try {
      authorize(req, expectedDigest);
      const body = await route(req, queues, logger);
      sendJson(res, 200, body);
    } catch (error) {
      if (!(error instanceof AdminError)) throw error;
      sendJson(
        res,
        error.status,
        { error: { code: error.code, message: error.message } },
        error.headers,
      );
    }
  };

  logger.info({ path: ADMIN_QUEUES_PATH, queues: [...queues.keys()] }, 'queue view enabled');
  return {
    prefixRoutes: { [ADMIN_QUEUES_PATH]: handler },
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

/** Dispatches an authorized request by method and path and returns the response body. */
async function route(
  req: IncomingMessage,
  queues: Map<string, Queue>,
  logger: Logger,
): Promise<unknown> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const rest = path.slice(ADMIN_QUEUES_PATH.length);
  // The prefix also matches paths such as /admin/queuesx, which are not part of the view.
  if (rest !== '' && !rest.startsWith('/')) throw notFound(path);
  const segments = rest
    .split('/')
    .filter((segment) => segment !== '')
    .map(decodeSegment);

  if (segments.length === 0) {
    requireMethod(req, 'GET');
    return withTimeout(overview(queues));
  }
  const queue = queues.get(segments[0]!);
  if (!queue) {
    throw new AdminError(
      404,
      'NOT_FOUND',
      `Queue ${JSON.stringify(segments[0])} does not exist; the queues are ${[...queues.keys()].join(', ')}.`,
    );
  }
  if (segments.length === 2 && segments[1] === 'failed') {
    requireMethod(req, 'GET');
    return withTimeout(
      failedJobs(queue, MAX_FAILED_JOBS).then((failed) => ({ queue: queue.name, failed })),
    );
  }
  if (segments.length === 3 && segments[1] === 'retry') {
    requireMethod(req, 'POST');
    const result = await withTimeout(retryFailedJob(queue, segments[2]!));
    logger.info({ queue: queue.name, jobId: result.id }, 'failed job retried by an operator');
    return result;
  }
  throw notFound(path);
}

async function overview(queues: Map<string, Queue>): Promise<unknown> {
  const summaries = await Promise.all(
    [...queues.values()].map(async (queue) => ({
      name: queue.name,
      counts: await queue.getJobCounts(...jobStates),
      latestFailed: await failedJobs(queue, OVERVIEW_FAILED_JOBS),
    })),
  );
  return { queues: summaries };
}

/** Returns the latest `limit` failed jobs of a queue, newest first. */
async function failedJobs(queue: Queue, limit: number): Promise<FailedJobSummary[]> {
  const jobs = await queue.getFailed(0, limit - 1);
  return jobs.filter((job): job is Job => job !== undefined).map(summarize);
}

function summarize(job: Job): FailedJobSummary {
  return {
    id: job.id,
    name: job.name,
    attemptsMade: job.attemptsMade,
    failedReason: job.failedReason,
    timestamp: new Date(job.timestamp).toISOString(),
    failedAt: job.finishedOn === undefined ? null : new Date(job.finishedOn).toISOString(),
  };
}

/**
 * Moves a failed job back to waiting with its attempts reset, so that it gets the full retry
 * policy again.
 */
async function retryFailedJob(
  queue: Queue,
  jobId: string,
): Promise<{ queue: string; id: string; state: string }> {
  const job = await queue.getJob(jobId);
  if (!job) {
    throw new AdminError(
      404,
      'NOT_FOUND',
      `Job ${JSON.stringify(jobId)} does not exist in queue ${queue.name}; completed jobs are removed after a week.`,
    );
  }
  const state = await job.getState();
  if (state !== 'failed') {
    throw new AdminError(
      409,
      'CONFLICT',
      `Job ${JSON.stringify(jobId)} of queue ${queue.name} is ${state}; only a failed job can be retried.`,
    );
  }
  await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  return { queue: queue.name, id: jobId, state: await job.getState() };
}

/**
 * Checks `Authorization: Bearer <token>` against the admin token. Both are hashed first so
 * that the comparison takes the same time whatever the presented token's length.
 */
function authorize(req: IncomingMessage, expectedDigest: Buffer): void {
  const match = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
  if (match && timingSafeEqual(sha256(match[1]!), expectedDigest)) return;
  throw new AdminError(
    401,
    'UNAUTHENTICATED',
    'The queue view requires "Authorization: Bearer <ADMIN_TOKEN>" with the gateway\'s ADMIN_TOKEN.',
    { 'www-authenticate': 'Bearer realm="admin"' },
  );
}

function requireMethod(req: IncomingMessage, method: 'GET' | 'POST'): void {
  if (req.method === method) return;
  throw new AdminError(
    405,
    'METHOD_NOT_ALLOWED',
    `${req.method ?? 'This method'} is not allowed here; use ${method}.`,
    { allow: method },
  );
}

function notFound(path: string): AdminError {
  return new AdminError(404, 'NOT_FOUND', `No route for ${path}.`);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AdminError(
      400,
      'BAD_REQUEST',
      `Path segment ${JSON.stringify(segment)} is not valid URL encoding.`,
    );
  }
}

async function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new AdminError(
            503,
            'QUEUE_REDIS_UNAVAILABLE',
            `The queue Redis did not respond within ${QUEUE_REDIS_TIMEOUT_MS} ms; check that it is running and that QUEUE_REDIS_URL names it.`,
          ),
        ),
      QUEUE_REDIS_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

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
