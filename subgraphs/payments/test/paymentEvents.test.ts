import { startRedis } from '@heartfelt/devstack';
import {
  createLogger,
  createQueue,
  createQueueRedis,
  newOwnedId,
  newUserId,
  QueueName,
} from '@heartfelt/kit';
import type { Job, Queue } from 'bullmq';
import { orderIdFor } from '../src/checkoutKeys';
import { paymentEventJobId, receiveProviderEvent } from '../src/jobs/paymentEventQueue';
import type { PaymentEvent, PaymentEventType } from '../src/providers';
import type { OrderDocument, PaymentEventDocument } from '../src/repository/documents';
import { startPaymentsGraph, type PaymentsTestGraph } from './paymentsGraph';

const CHECKOUT = `
  mutation Checkout($input: CheckoutInput!) {
    checkout(input: $input) { order { id status } }
  }
`;

const PRICE_CENTS = 700;
/** Maximum wait for the worker to finish a job, in milliseconds. */
const JOB_TIMEOUT_MS = 15_000;

let stack: PaymentsTestGraph;
let templateId: string;
let queueRedis: ReturnType<typeof createQueueRedis>;
let queue: Queue<PaymentEvent>;
let sequence = 0;

beforeAll(async () => {
  stack = await startPaymentsGraph({}, { worker: true });
  templateId = await stack.addTemplate(PRICE_CENTS);
  queueRedis = createQueueRedis(stack.graph.data.queueRedisUrl, createLogger('test', 'silent'));
  queue = createQueue<PaymentEvent>(QueueName.PaymentEvents, queueRedis);
}, 120_000);

afterAll(async () => {
  await queue?.close();
  queueRedis?.disconnect();
  await stack?.stop();
});

function orders() {
  return stack.graph.db.collection<OrderDocument>('orders');
}

function auditRecords() {
  return stack.graph.db.collection<PaymentEventDocument>('payment_events');
}

/** Stores an order of a new user in `status`, as checkout would have left it. */
async function insertOrder(status: OrderDocument['status']): Promise<OrderDocument> {
  const ownerId = newUserId();
  const now = new Date();
  const order: OrderDocument = {
    _id: newOwnedId('order', ownerId),
    ownerId,
    cardId: newOwnedId('card', ownerId),
    idempotencyKey: `events-test-${++sequence}`,
    requestHash: 'test',
    amountCents: PRICE_CENTS,
    currency: 'USD',
    status,
    chargeId: status === 'PENDING' ? null : `ch_test_${sequence}`,
    createdAt: now,
    updatedAt: now,
  };
  await orders().insertOne(order);
  return order;
}

function eventFor(orderId: string, type: PaymentEventType): PaymentEvent {
  sequence += 1;
  return {
    id: `evt_test_${Date.now()}_${sequence}`,
    type,
    orderId,
    chargeId: `ch_test_event_${sequence}`,
    refundId: type === 'refunded' ? `re_test_${sequence}` : null,
    createdAt: new Date().toISOString(),
  };
}

/** Waits until a job is completed or failed and returns it. */
async function settled(jobId: string): Promise<Job<PaymentEvent>> {
  const deadline = Date.now() + JOB_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const job = await queue.getJob(jobId);
    if (job && (job.finishedOn !== undefined || job.failedReason)) return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} did not finish within ${JOB_TIMEOUT_MS} ms`);
}

async function waitFor<T>(read: () => Promise<T | null>, what: string): Promise<T> {
  const deadline = Date.now() + JOB_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const value = await read();
    if (value !== null) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not happen within ${JOB_TIMEOUT_MS} ms`);
}

describe('payment events', () => {
  test('checkout sends a succeeded event', async () => {
    const userId = newUserId();
    const cardId = stack.cards.addCard(userId, templateId);

    const result = await stack.call<{ checkout: { order: { id: string; status: string } } }>(
      userId,
      CHECKOUT,
      {
        input: { cardId, paymentToken: 'tok_ok', idempotencyKey: `events-checkout-${Date.now()}` },
      },
    );

    expect(result.errors).toBeUndefined();
    expect(result.data?.checkout.order.status).toBe('PAID');
    const orderId = result.data!.checkout.order.id;
    const record = await waitFor(
      () => auditRecords().findOne({ orderId, type: 'succeeded' }),
      'recording the succeeded event',
    );
    const order = await orders().findOne({ _id: orderId });
    expect(order?.status).toBe('PAID');
    expect(record.chargeId).toBe(order?.chargeId);
    expect(record._id).toBe(`evt_${order?.chargeId}_succeeded`);
    expect(record.ownerId).toBe(userId);
  });

  test('declined checkout sends no event', async () => {
    const userId = newUserId();
    const cardId = stack.cards.addCard(userId, templateId);
    const idempotencyKey = `events-declined-${Date.now()}`;

    const result = await stack.call(userId, CHECKOUT, {
      input: { cardId, paymentToken: 'tok_declined', idempotencyKey },
    });

    expect(result.errors?.[0]?.extensions?.code).toBe('PAYMENT_DECLINED');
    const orderId = orderIdFor(userId, idempotencyKey);
    const jobs = await queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
    expect(jobs.filter((job) => job.data.orderId === orderId)).toEqual([]);
  });

  test('event delivered twice is applied once', async () => {
    const order = await insertOrder('PENDING');
    const event = eventFor(order._id, 'succeeded');

    // The same delivery twice: one job, because the job id is derived from the event id.
    await receiveProviderEvent(queue, event);
    await receiveProviderEvent(queue, event);
    // A provider retry that arrives as a separate job, as if the first job had been removed.
    const retryJobId = `provider-retry-${event.id}`;
    await queue.add(event.type, event, { jobId: retryJobId });

    const first = await settled(paymentEventJobId(event.id));
    const retry = await settled(retryJobId);
    const outcomes = [first.returnvalue, retry.returnvalue].sort();
    expect(outcomes).toEqual(['applied', 'duplicate']);
    const jobs = await queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
    const jobsOfEvent = jobs.filter((job) => job.data.id === event.id);
    expect(jobsOfEvent).toHaveLength(2);
    const stored = await orders().findOne({ _id: order._id });
    expect(stored?.status).toBe('PAID');
    expect(stored?.chargeId).toBe(event.chargeId);
    expect(stored?.appliedEventIds?.filter((id) => id === event.id)).toHaveLength(1);
    expect(await auditRecords().countDocuments({ _id: event.id })).toBe(1);
  });

  test('failed event marks pending order FAILED', async () => {
    const order = await insertOrder('PENDING');
    const event = eventFor(order._id, 'failed');

    await receiveProviderEvent(queue, event);
    const job = await settled(paymentEventJobId(event.id));

    expect(job.returnvalue).toBe('applied');
    const stored = await orders().findOne({ _id: order._id });
    expect(stored?.status).toBe('FAILED');
    expect(stored?.appliedEventIds).toEqual([event.id]);
  });

  test('late failed event leaves paid order PAID', async () => {
    const order = await insertOrder('PAID');
    const event = eventFor(order._id, 'failed');

    await receiveProviderEvent(queue, event);
    const job = await settled(paymentEventJobId(event.id));

    expect(job.returnvalue).toBe('unchanged');
    const stored = await orders().findOne({ _id: order._id });
    expect(stored?.status).toBe('PAID');
    expect(stored?.chargeId).toBe(order.chargeId);
    expect(stored?.updatedAt).toEqual(order.updatedAt);
    expect(await auditRecords().countDocuments({ _id: event.id })).toBe(1);
  });

  test('unchanged event delivered twice is recorded once', async () => {
    const order = await insertOrder('PAID');
    const event = eventFor(order._id, 'succeeded');

    await receiveProviderEvent(queue, event);
    const first = await settled(paymentEventJobId(event.id));
    const retryJobId = `provider-retry-${event.id}`;
    await queue.add(event.type, event, { jobId: retryJobId });
    const retry = await settled(retryJobId);

    expect(first.returnvalue).toBe('unchanged');
    expect(retry.returnvalue).toBe('duplicate');
    expect(await auditRecords().countDocuments({ _id: event.id })).toBe(1);
    expect((await orders().findOne({ _id: order._id }))?.status).toBe('PAID');
  });

  test('refunded event marks paid order REFUNDED', async () => {
    const order = await insertOrder('PAID');
    const event = eventFor(order._id, 'refunded');

    await receiveProviderEvent(queue, event);
    const job = await settled(paymentEventJobId(event.id));

    expect(job.returnvalue).toBe('applied');
    const stored = await orders().findOne({ _id: order._id });
    expect(stored?.status).toBe('REFUNDED');
    expect(stored?.refundId).toBe(event.refundId);
  });

  test('succeeded after refunded keeps REFUNDED', async () => {
    const order = await insertOrder('PENDING');
    const refunded = eventFor(order._id, 'refunded');
    const succeeded = eventFor(order._id, 'succeeded');

    await receiveProviderEvent(queue, refunded);
    await settled(paymentEventJobId(refunded.id));
    await receiveProviderEvent(queue, succeeded);
    const job = await settled(paymentEventJobId(succeeded.id));

    expect(job.returnvalue).toBe('unchanged');
    const stored = await orders().findOne({ _id: order._id });
    expect(stored?.status).toBe('REFUNDED');
    expect(stored?.appliedEventIds).toEqual([refunded.id]);
    expect(await auditRecords().countDocuments({ _id: succeeded.id })).toBe(1);
  });

  test('event for unknown order fails the job', async () => {
    const event = eventFor(newOwnedId('order', newUserId()), 'succeeded');

    await queue.add(event.type, event, { jobId: paymentEventJobId(event.id), attempts: 1 });
    const job = await settled(paymentEventJobId(event.id));

    expect(await job.getState()).toBe('failed');
    expect(job.failedReason).toContain(`order ${event.orderId} of payment event ${event.id}`);
    expect(job.failedReason).toContain('was not found');
    expect(await auditRecords().countDocuments({ _id: event.id })).toBe(0);
  });

  test('invalid event fails without retries', async () => {
    const jobId = `invalid-event-${Date.now()}`;

    await queue.add('succeeded', { id: 'evt:bad' } as unknown as PaymentEvent, {
      jobId,
      attempts: 3,
    });
    const job = await settled(jobId);

    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toContain('invalid payment event');
  });

  test('receiveProviderEvent rejects invalid event', async () => {
    const event = { ...eventFor(newOwnedId('order', newUserId()), 'succeeded'), refundId: 're_1' };

    await expect(receiveProviderEvent(queue, event)).rejects.toThrow(
      'refundId: refundId must be set on refunded events and null on the others',
    );
    expect(await queue.getJob(paymentEventJobId(event.id))).toBeUndefined();
  });
});

describe('queue Redis restart', () => {
  test('waiting event survives a restart', async () => {
    const { graph } = stack;
    await graph.processes['payments-worker']!.stop();
    const order = await insertOrder('PENDING');
    const event = eventFor(order._id, 'succeeded');
    await receiveProviderEvent(queue, event);
    const jobId = paymentEventJobId(event.id);
    expect(await (await queue.getJob(jobId))?.getState()).toBe('waiting');

    // Restart the queue Redis on the same port and append-only file.
    const port = Number(new URL(graph.data.queueRedisUrl).port);
    await graph.data.queueRedis.stop();
    graph.data.queueRedis = await startRedis({
      port,
      dataDir: graph.data.queueRedisDir,
      role: 'queue',
    });
    await graph.startWorker('payments');

    const job = await settled(jobId);
    expect(job.returnvalue).toBe('applied');
    const stored = await orders().findOne({ _id: order._id });
    expect(stored?.status).toBe('PAID');
    expect(stored?.appliedEventIds).toEqual([event.id]);
  });
});
