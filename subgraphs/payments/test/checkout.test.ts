import { newOwnedId, newUserId } from '@heartfelt/kit';
import { checkoutRequestHash, orderIdFor } from '../src/checkoutKeys';
import type { OrderDocument } from '../src/repository/documents';
import { startPaymentsGraph, type PaymentsTestGraph } from './paymentsGraph';

const CHECKOUT = `
  mutation Checkout($input: CheckoutInput!) {
    checkout(input: $input) { order { id status amountCents currency card { id } } }
  }
`;

interface CheckoutData {
  checkout: {
    order: {
      id: string;
      status: string;
      amountCents: number;
      currency: string;
      card: { id: string };
    };
  } | null;
}

const PRICE_CENTS = 499;

/**
 * Sandbox authorization delay: long enough that concurrent checkouts with one key find the
 * first one's order still PENDING and must wait for it.
 */
const SANDBOX_LATENCY_MS = 300;

let stack: PaymentsTestGraph;
let templateId: string;

beforeAll(async () => {
  stack = await startPaymentsGraph({ SANDBOX_LATENCY_MS: String(SANDBOX_LATENCY_MS) });
  templateId = await stack.addTemplate(PRICE_CENTS);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

let keySequence = 0;

/** Returns a fresh idempotency key for one test. */
function newKey(): string {
  keySequence += 1;
  return `test-key-${Date.now()}-${keySequence}`;
}

function checkout(
  userId: string | null,
  input: { cardId: string; paymentToken: string; idempotencyKey: string },
) {
  return stack.call<CheckoutData>(userId, CHECKOUT, { input });
}

function countOrders(cardId: string): Promise<number> {
  return stack.graph.db.collection('orders').countDocuments({ cardId });
}

function countCharges(orderId: string): Promise<number> {
  return stack.graph.db
    .collection<{ _id: string }>('sandbox_charges')
    .countDocuments({ _id: orderId });
}

function countAllCharges(): Promise<number> {
  return stack.graph.db.collection('sandbox_charges').countDocuments({});
}

describe('checkout', () => {
  test('pays at the template price', async () => {
    const userId = newUserId();
    const cardId = stack.cards.addCard(userId, templateId);

    const result = await checkout(userId, {
      cardId,
      paymentToken: 'tok_ok',
      idempotencyKey: newKey(),
    });

    expect(result.errors).toBeUndefined();
    const order = result.data?.checkout?.order;
    expect(order?.status).toBe('PAID');
    expect(order?.amountCents).toBe(PRICE_CENTS);
    expect(order?.currency).toBe('USD');
    expect(order?.card.id).toBe(cardId);
    expect(await countCharges(order!.id)).toBe(1);

    const stored = await stack.graph.db.collection('orders').findOne({ cardId });
    expect(stored?.status).toBe('PAID');
    expect(stored?.chargeId).toMatch(/^ch_/);
    expect(stored?.ownerId).toBe(userId);
  });

  test('rejects declined token', async () => {
    const userId = newUserId();
    const cardId = stack.cards.addCard(userId, templateId);
    const chargesBefore = await countAllCharges();

    const result = await checkout(userId, {
      cardId,
      paymentToken: 'tok_declined',
      idempotencyKey: newKey(),
    });

    expect(result.errors?.[0]?.extensions?.code).toBe('PAYMENT_DECLINED');
    expect(result.errors?.[0]?.message).toBe(
      'The payment was declined; try another payment method.',
    );
    expect(await countOrders(cardId)).toBe(0);
    expect(await countAllCharges()).toBe(chargesBefore);
  });

  test('pays after a decline with a new token', async () => {
    const userId = newUserId();
    const cardId = stack.cards.addCard(userId, templateId);
    const idempotencyKey = newKey();

    const declined = await checkout(userId, {
      cardId,
      paymentToken: 'tok_declined',
      idempotencyKey,
    });
    // Same key: the declined attempt left no order behind, so the key is free again.
    const paid = await checkout(userId, { cardId, paymentToken: 'tok_ok', idempotencyKey });

    expect(declined.errors?.[0]?.extensions?.code).toBe('PAYMENT_DECLINED');
    expect(paid.errors).toBeUndefined();
    expect(paid.data?.checkout?.order.status).toBe('PAID');
  });

  test('rejects invalid token', async () => {
    const userId = newUserId();
    const cardId = stack.cards.addCard(userId, templateId);

    const result = await checkout(userId, {
      cardId,
      paymentToken: 'tok_unknown',
      idempotencyKey: newKey(),
    });

    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.field).toBe('paymentToken');
    expect(await countOrders(cardId)).toBe(0);
  });

  test('same key twice returns one order', async () => {
    const userId = newUserId();
    const cardId = stack.cards.addCard(userId, templateId);
    const input = { cardId, paymentToken: 'tok_ok', idempotencyKey: newKey() };

    const first = await checkout(userId, input);
    const second = await checkout(userId, input);

    expect(first.errors).toBeUndefined();
    expect(second.errors).toBeUndefined();
    const orderId = first.data?.checkout?.order.id;
    expect(second.data?.checkout?.order.id).toBe(orderId);
    expect(second.data?.checkout?.order.status).toBe('PAID');
    expect(await countOrders(cardId)).toBe(1);
    expect(await countCharges(orderId!)).toBe(1);
  });

  test('same key with other token is rejected', async () => {
    const userId = newUserId();
    const cardId = stack.cards.addCard(userId, templateId);
    const idempotencyKey = newKey();

    await checkout(userId, { cardId, paymentToken: 'tok_ok', idempotencyKey });
    const reused = await checkout(userId, { cardId, paymentToken: 'tok_declined', idempotencyKey });

    expect(reused.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(reused.errors?.[0]?.message).toBe(
      'This idempotencyKey was used with different input; use a new key.',
    );
    expect(await countOrders(cardId)).toBe(1);
  });

  test('concurrent checkouts with one key share one order', async () => {
    const userId = newUserId();
    const cardId = stack.cards.addCard(userId, templateId);
    const input = { cardId, paymentToken: 'tok_ok', idempotencyKey: newKey() };

    const results = await Promise.all(Array.from({ length: 10 }, () => checkout(userId, input)));

    const errors = results.flatMap((result) => result.errors ?? []);
    expect(errors).toEqual([]);
    const orderIds = new Set(results.map((result) => result.data?.checkout?.order.id));
    expect(orderIds.size).toBe(1);
    const statuses = new Set(results.map((result) => result.data?.checkout?.order.status));
    expect([...statuses]).toEqual(['PAID']);
    expect(await countOrders(cardId)).toBe(1);
    const [orderId] = [...orderIds];
    expect(await countCharges(orderId!)).toBe(1);
  });

  test('concurrent declines leave nothing', async () => {
    const userId = newUserId();
    const cardId = stack.cards.addCard(userId, templateId);
    const input = { cardId, paymentToken: 'tok_declined', idempotencyKey: newKey() };
    const chargesBefore = await countAllCharges();

    const results = await Promise.all(Array.from({ length: 3 }, () => checkout(userId, input)));

    const codes = results.map((result) => result.errors?.[0]?.extensions?.code);
    expect(codes).toEqual(['PAYMENT_DECLINED', 'PAYMENT_DECLINED', 'PAYMENT_DECLINED']);
    expect(await countOrders(cardId)).toBe(0);
    expect(await countAllCharges()).toBe(chargesBefore);
  });

  test('checkout in progress with another key is CONFLICT', async () => {
    const userId = newUserId();
    const cardId = stack.cards.addCard(userId, templateId);

    const results = await Promise.all([
      checkout(userId, { cardId, paymentToken: 'tok_ok', idempotencyKey: newKey() }),
      checkout(userId, { cardId, paymentToken: 'tok_ok', idempotencyKey: newKey() }),
    ]);

    const outcomes = results
      .map((result) => result.data?.checkout?.order.status ?? result.errors?.[0]?.extensions?.code)
      .sort();
    expect(outcomes).toEqual(['CONFLICT', 'PAID']);
    expect(await countOrders(cardId)).toBe(1);
  });

  test('stale PENDING order is finished', async () => {
    const userId = newUserId();
    const cardId = stack.cards.addCard(userId, templateId);
    const input = { cardId, paymentToken: 'tok_ok', idempotencyKey: newKey() };
    const orderId = orderIdFor(userId, input.idempotencyKey);
    // An order left by a request that died before it charged, two minutes ago.
    const startedAt = new Date(Date.now() - 120_000);
    await stack.graph.db.collection<OrderDocument>('orders').insertOne({
      _id: orderId,
      ownerId: userId,
      cardId,
      idempotencyKey: input.idempotencyKey,
      requestHash: checkoutRequestHash(cardId, input.paymentToken),
      amountCents: PRICE_CENTS,
      currency: 'USD',
      status: 'PENDING',
      chargeId: null,
      createdAt: startedAt,
      updatedAt: startedAt,
    });

    const result = await checkout(userId, input);

    expect(result.errors).toBeUndefined();
    expect(result.data?.checkout?.order.id).toBe(orderId);
    expect(result.data?.checkout?.order.status).toBe('PAID');
    expect(await countCharges(orderId)).toBe(1);
  });

  test('second key for a paid card is ALREADY_PAID', async () => {
    const userId = newUserId();
    const cardId = stack.cards.addCard(userId, templateId);

    await checkout(userId, { cardId, paymentToken: 'tok_ok', idempotencyKey: newKey() });
    const again = await checkout(userId, {
      cardId,
      paymentToken: 'tok_ok',
      idempotencyKey: newKey(),
    });

    expect(again.errors?.[0]?.extensions?.code).toBe('ALREADY_PAID');
    expect(await countOrders(cardId)).toBe(1);
  });

  test("someone else's card is NOT_FOUND", async () => {
    const ownerId = newUserId();
    const otherUserId = newUserId();
    const cardId = stack.cards.addCard(ownerId, templateId);

    const result = await checkout(otherUserId, {
      cardId,
      paymentToken: 'tok_ok',
      idempotencyKey: newKey(),
    });

    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(result.errors?.[0]?.message).toBe(`Card "${cardId}" was not found.`);
    expect(await countOrders(cardId)).toBe(0);
  });

  test('missing own card is NOT_FOUND', async () => {
    const userId = newUserId();
    const cardId = newOwnedId('card', userId);
    const requestsBefore = stack.cards.requestCount;

    const result = await checkout(userId, {
      cardId,
      paymentToken: 'tok_ok',
      idempotencyKey: newKey(),
    });

    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // The id names this user, so only the cards subgraph can tell that the card is missing.
    expect(stack.cards.requestCount).toBe(requestsBefore + 1);
  });

  test('anonymous checkout is UNAUTHENTICATED', async () => {
    const userId = newUserId();
    const cardId = stack.cards.addCard(userId, templateId);

    const result = await checkout(null, {
      cardId,
      paymentToken: 'tok_ok',
      idempotencyKey: newKey(),
    });

    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  test.each([
    ['too short', 'short'],
    ['too long', 'k'.repeat(101)],
    ['bad character', 'key with spaces'],
  ])('idempotency key %s is BAD_USER_INPUT', async (_case, idempotencyKey) => {
    const userId = newUserId();
    const cardId = stack.cards.addCard(userId, templateId);

    const result = await checkout(userId, { cardId, paymentToken: 'tok_ok', idempotencyKey });

    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.field).toBe('idempotencyKey');
    expect(await countOrders(cardId)).toBe(0);
  });

  test('empty payment token is BAD_USER_INPUT', async () => {
    const userId = newUserId();
    const cardId = stack.cards.addCard(userId, templateId);

    const result = await checkout(userId, { cardId, paymentToken: ' ', idempotencyKey: newKey() });

    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.field).toBe('paymentToken');
  });
});
