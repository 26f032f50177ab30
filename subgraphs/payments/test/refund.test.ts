import { newOwnedId, newUserId } from '@heartfelt/kit';
import { providerRefundKey } from '../src/refund';
import type { OrderDocument, PaymentEventDocument } from '../src/repository/documents';
import { startPaymentsGraph, type PaymentsTestGraph } from './paymentsGraph';

const CHECKOUT = `
  mutation Checkout($input: CheckoutInput!) {
    checkout(input: $input) { order { id status } }
  }
`;

const REFUND_ORDER = `
  mutation RefundOrder($id: ID!, $idempotencyKey: String!) {
    refundOrder(id: $id, idempotencyKey: $idempotencyKey) { order { id status amountCents } }
  }
`;

interface RefundOrderData {
  refundOrder: { order: { id: string; status: string; amountCents: number } } | null;
}

const PRICE_CENTS = 350;
/** Maximum wait for payments-worker to record an event, in milliseconds. */
const EVENT_TIMEOUT_MS = 15_000;

let stack: PaymentsTestGraph;
let templateId: string;
let sequence = 0;

beforeAll(async () => {
  stack = await startPaymentsGraph({}, { worker: true });
  templateId = await stack.addTemplate(PRICE_CENTS);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

function newKey(): string {
  sequence += 1;
  return `refund-test-${Date.now()}-${sequence}`;
}

function orders() {
  return stack.graph.db.collection<OrderDocument>('orders');
}

function refundOrder(userId: string | null, id: string, idempotencyKey: string) {
  return stack.call<RefundOrderData>(userId, REFUND_ORDER, { id, idempotencyKey });
}

/** Pays for a new card of `userId` and returns the order id. */
async function paidOrder(userId: string): Promise<string> {
  const cardId = stack.cards.addCard(userId, templateId);
  const result = await stack.call<{ checkout: { order: { id: string; status: string } } }>(
    userId,
    CHECKOUT,
    { input: { cardId, paymentToken: 'tok_ok', idempotencyKey: newKey() } },
  );
  if (result.data?.checkout.order.status !== 'PAID') {
    throw new Error(`checkout failed: ${JSON.stringify(result.errors)}`);
  }
  return result.data.checkout.order.id;
}

/** Stores an order of `userId` in `status` with no matching charge at the provider. */
async function insertOrder(
  userId: string,
  status: OrderDocument['status'],
  fields: Partial<OrderDocument> = {},
): Promise<string> {
  const now = new Date();
  const id = newOwnedId('order', userId);
  await orders().insertOne({
    _id: id,
    ownerId: userId,
    cardId: newOwnedId('card', userId),
    idempotencyKey: newKey(),
    requestHash: 'test',
    amountCents: PRICE_CENTS,
    currency: 'USD',
    status,
    chargeId: status === 'PENDING' ? null : 'ch_not_at_provider',
    createdAt: now,
    updatedAt: now,
    ...fields,
  });
  return id;
}

function countRefunds(chargeId: string): Promise<number> {
  return stack.graph.db.collection('sandbox_refunds').countDocuments({ chargeId });
}

async function waitForRefundedEvent(orderId: string): Promise<PaymentEventDocument> {
  const records = stack.graph.db.collection<PaymentEventDocument>('payment_events');
  const deadline = Date.now() + EVENT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const record = await records.findOne({ orderId, type: 'refunded' });
    if (record) return record;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no refunded event of ${orderId} was recorded within ${EVENT_TIMEOUT_MS} ms`);
}

describe('refundOrder', () => {
  test('refunds a paid order', async () => {
    const userId = newUserId();
    const orderId = await paidOrder(userId);

    const result = await refundOrder(userId, orderId, newKey());

    expect(result.errors).toBeUndefined();
    expect(result.data?.refundOrder?.order.id).toBe(orderId);
    expect(result.data?.refundOrder?.order.status).toBe('REFUNDED');
    expect(result.data?.refundOrder?.order.amountCents).toBe(PRICE_CENTS);
    const stored = await orders().findOne({ _id: orderId });
    expect(stored?.status).toBe('REFUNDED');
    expect(stored?.refundId).toMatch(/^re_/);
    const refunds = await stack.graph.db
      .collection('sandbox_refunds')
      .find({ chargeId: stored!.chargeId })
      .toArray();
    expect(refunds).toHaveLength(1);
    expect(refunds[0]?.amountCents).toBe(PRICE_CENTS);
    const event = await waitForRefundedEvent(orderId);
    expect(event.refundId).toBe(stored?.refundId);
  });

  test('same key twice refunds once', async () => {
    const userId = newUserId();
    const orderId = await paidOrder(userId);
    const idempotencyKey = newKey();

    const first = await refundOrder(userId, orderId, idempotencyKey);
    const second = await refundOrder(userId, orderId, idempotencyKey);

    expect(first.errors).toBeUndefined();
    expect(second.errors).toBeUndefined();
    expect(second.data?.refundOrder?.order.id).toBe(orderId);
    expect(second.data?.refundOrder?.order.status).toBe('REFUNDED');
    const stored = await orders().findOne({ _id: orderId });
    expect(stored?.status).toBe('REFUNDED');
    expect(await countRefunds(stored!.chargeId!)).toBe(1);
    await waitForRefundedEvent(orderId);
    const events = await stack.graph.db
      .collection('payment_events')
      .countDocuments({ orderId, type: 'refunded' });
    expect(events).toBe(1);
  });

  test('concurrent refunds with one key refund once', async () => {
    const userId = newUserId();
    const orderId = await paidOrder(userId);
    const idempotencyKey = newKey();

    const results = await Promise.all(
      Array.from({ length: 5 }, () => refundOrder(userId, orderId, idempotencyKey)),
    );

    expect(results.flatMap((result) => result.errors ?? [])).toEqual([]);
    const statuses = new Set(results.map((result) => result.data?.refundOrder?.order.status));
    expect([...statuses]).toEqual(['REFUNDED']);
    const stored = await orders().findOne({ _id: orderId });
    expect(await countRefunds(stored!.chargeId!)).toBe(1);
    const ledgerKey = providerRefundKey(orderId, idempotencyKey);
    const ledger = stack.graph.db.collection<{ _id: string }>('sandbox_refunds');
    expect(await ledger.countDocuments({ _id: ledgerKey })).toBe(1);
  });

  test('second key after refund is INVALID_STATUS_TRANSITION', async () => {
    const userId = newUserId();
    const orderId = await paidOrder(userId);
    await refundOrder(userId, orderId, newKey());

    const again = await refundOrder(userId, orderId, newKey());

    expect(again.errors?.[0]?.extensions?.code).toBe('INVALID_STATUS_TRANSITION');
    expect(again.errors?.[0]?.extensions?.status).toBe('REFUNDED');
    expect(again.errors?.[0]?.message).toBe(
      `Order "${orderId}" is REFUNDED; only a PAID order can be refunded.`,
    );
    const stored = await orders().findOne({ _id: orderId });
    expect(await countRefunds(stored!.chargeId!)).toBe(1);
  });

  test('refund started with another key is CONFLICT', async () => {
    const userId = newUserId();
    const orderId = await insertOrder(userId, 'PAID', { refundKey: 'earlier-refund-key' });

    const result = await refundOrder(userId, orderId, newKey());

    expect(result.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(result.errors?.[0]?.message).toContain('retry with that key');
    expect((await orders().findOne({ _id: orderId }))?.status).toBe('PAID');
  });

  test.each([['PENDING'], ['FAILED']] as const)(
    '%s order is INVALID_STATUS_TRANSITION',
    async (status) => {
      const userId = newUserId();
      const orderId = await insertOrder(userId, status);

      const result = await refundOrder(userId, orderId, newKey());

      expect(result.errors?.[0]?.extensions?.code).toBe('INVALID_STATUS_TRANSITION');
      expect(result.errors?.[0]?.extensions?.status).toBe(status);
      const stored = await orders().findOne({ _id: orderId });
      expect(stored?.status).toBe(status);
      expect(stored?.refundKey).toBeUndefined();
    },
  );

  test("someone else's order is NOT_FOUND", async () => {
    const ownerId = newUserId();
    const orderId = await paidOrder(ownerId);

    const result = await refundOrder(newUserId(), orderId, newKey());

    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(result.errors?.[0]?.message).toBe(`Order "${orderId}" was not found.`);
    const stored = await orders().findOne({ _id: orderId });
    expect(stored?.status).toBe('PAID');
    expect(stored?.refundKey).toBeUndefined();
  });

  test('missing own order is NOT_FOUND', async () => {
    const userId = newUserId();

    const result = await refundOrder(userId, newOwnedId('order', userId), newKey());

    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  test('anonymous refund is UNAUTHENTICATED', async () => {
    const orderId = await paidOrder(newUserId());

    const result = await refundOrder(null, orderId, newKey());

    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  test('short idempotency key is BAD_USER_INPUT', async () => {
    const userId = newUserId();
    const orderId = await paidOrder(userId);

    const result = await refundOrder(userId, orderId, 'short');

    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.field).toBe('idempotencyKey');
    expect((await orders().findOne({ _id: orderId }))?.status).toBe('PAID');
  });
});
