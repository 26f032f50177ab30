import {
  createLogger,
  createQueue,
  createQueueRedis,
  newOwnedId,
  newUserId,
  QueueName,
} from '@heartfelt/kit';
import { startGraph, type TestGraph } from '@heartfelt/testkit';

const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789';
/** Maximum wait for payments-worker to fail a job, in milliseconds. */
const JOB_TIMEOUT_MS = 15_000;

interface FailedJob {
  id: string;
  name: string;
  attemptsMade: number;
  failedReason: string;
  timestamp: string;
  failedAt: string | null;
}

interface Overview {
  queues: Array<{
    name: string;
    counts: Record<'waiting' | 'active' | 'delayed' | 'failed' | 'completed', number>;
    latestFailed: FailedJob[];
  }>;
}

let graph: TestGraph;
let queueRedis: ReturnType<typeof createQueueRedis>;
let paymentEvents: ReturnType<typeof createQueue>;

beforeAll(async () => {
  graph = await startGraph({
    subgraphs: [],
    workers: ['payments'],
    env: { ADMIN_TOKEN },
  });
  queueRedis = createQueueRedis(graph.data.queueRedisUrl, createLogger('test', 'silent'));
  paymentEvents = createQueue(QueueName.PaymentEvents, queueRedis);
}, 120_000);

afterAll(async () => {
  await paymentEvents?.close();
  queueRedis?.disconnect();
  await graph?.stop();
});

function adminUrl(path = ''): string {
  return new URL(`/admin/queues${path}`, graph.gatewayUrl).toString();
}

function adminRequest(
  path: string,
  options: { method?: string; token?: string | null } = {},
): Promise<Response> {
  const token = options.token === undefined ? ADMIN_TOKEN : options.token;
  return fetch(adminUrl(path), {
    method: options.method ?? 'GET',
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
}

/** Enqueues a payment event whose order does not exist, with one attempt, so that it fails. */
async function enqueueFailingEvent(): Promise<string> {
  const eventId = `evt_admin_test_${Date.now()}`;
  const jobId = `payment-event.${eventId}`;
  await paymentEvents.add(
    'succeeded',
    {
      id: eventId,
      type: 'succeeded',
      orderId: newOwnedId('order', newUserId()),
      chargeId: 'ch_admin_test',
      refundId: null,
      createdAt: new Date().toISOString(),
    },
    { jobId, attempts: 1 },
  );
  return jobId;
}

async function waitForState(jobId: string, state: string): Promise<void> {
  const deadline = Date.now() + JOB_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const job = await paymentEvents.getJob(jobId);
    if (job && (await job.getState()) === state) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} did not become ${state} within ${JOB_TIMEOUT_MS} ms`);
}

describe('/admin/queues without ADMIN_TOKEN', () => {
  let plainGraph: TestGraph;

  beforeAll(async () => {
    plainGraph = await startGraph({ subgraphs: [] });
  }, 120_000);

  afterAll(async () => {
    await plainGraph?.stop();
  });

  test('answers 404', async () => {
    const response = await fetch(new URL('/admin/queues', plainGraph.gatewayUrl), {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });

    expect(response.status).toBe(404);
  });
});

describe('/admin/queues', () => {
  test('missing token is 401', async () => {
    const response = await adminRequest('', { token: null });

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="admin"');
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('UNAUTHENTICATED');
  });

  test('wrong token is 401', async () => {
    const response = await adminRequest('', { token: `${ADMIN_TOKEN}x` });

    expect(response.status).toBe(401);
  });

  test('wrong token on retry is 401', async () => {
    const response = await adminRequest('/payment-events/retry/any-job', {
      method: 'POST',
      token: 'wrong',
    });

    expect(response.status).toBe(401);
  });

  test('lists every queue with counts', async () => {
    const response = await adminRequest('');

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Overview;
    expect(body.queues.map((queue) => queue.name).sort()).toEqual(Object.values(QueueName).sort());
    const payments = body.queues.find((queue) => queue.name === QueueName.PaymentEvents);
    const counts: Record<string, number> = payments?.counts ?? {};
    for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed']) {
      expect(typeof counts[state]).toBe('number');
    }
  });

  test('shows a failed job and retries it', async () => {
    const jobId = await enqueueFailingEvent();
    await waitForState(jobId, 'failed');

    const overview = (await (await adminRequest('')).json()) as Overview;
    const payments = overview.queues.find((queue) => queue.name === QueueName.PaymentEvents);
    expect(payments?.counts.failed).toBe(1);
    const listed = payments?.latestFailed.find((job) => job.id === jobId);
    expect(listed?.name).toBe('succeeded');
    expect(listed?.attemptsMade).toBe(1);
    expect(listed?.failedReason).toContain('was not found');
    expect(Number.isNaN(Date.parse(listed?.timestamp ?? ''))).toBe(false);

    const failedResponse = await adminRequest('/payment-events/failed');
    expect(failedResponse.status).toBe(200);
    const failed = (await failedResponse.json()) as { queue: string; failed: FailedJob[] };
    expect(failed.queue).toBe(QueueName.PaymentEvents);
    expect(failed.failed.map((job) => job.id)).toContain(jobId);

    // Stop the worker so that the retried job stays waiting where the test can see it.
    await graph.processes['payments-worker']!.stop();
    const retry = await adminRequest(`/payment-events/retry/${jobId}`, { method: 'POST' });

    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({
      queue: QueueName.PaymentEvents,
      id: jobId,
      state: 'waiting',
    });
    const job = await paymentEvents.getJob(jobId);
    expect(await job?.getState()).toBe('waiting');
    expect(job?.attemptsMade).toBe(0);
    const after = (await (await adminRequest('')).json()) as Overview;
    const paymentsAfter = after.queues.find((queue) => queue.name === QueueName.PaymentEvents);
    expect(paymentsAfter?.counts.failed).toBe(0);
    expect(paymentsAfter?.counts.waiting).toBe(1);

    const again = await adminRequest(`/payment-events/retry/${jobId}`, { method: 'POST' });
    expect(again.status).toBe(409);
  });

  test('retry of unknown job is 404', async () => {
    const response = await adminRequest('/payment-events/retry/no-such-job', { method: 'POST' });

    expect(response.status).toBe(404);
  });

  test('unknown queue is 404', async () => {
    const response = await adminRequest('/no-such-queue/failed');

    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain(QueueName.PaymentEvents);
  });

  test('GET of retry route is 405', async () => {
    const response = await adminRequest('/payment-events/retry/any-job');

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  test('path outside the view is 404', async () => {
    const response = await adminRequest('x');

    expect(response.status).toBe(404);
  });
});
