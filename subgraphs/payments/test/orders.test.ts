import { newOwnedId, newUserId } from '@heartfelt/kit';
import { storeCommandCount } from '@heartfelt/testkit';
import { startPaymentsGraph, type PaymentsTestGraph } from './paymentsGraph';

const CHECKOUT = `
  mutation Checkout($input: CheckoutInput!) {
    checkout(input: $input) { order { id } }
  }
`;

const CARD_ORDERS = `
  query CardOrders($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Card { id order { id status amountCents } }
    }
  }
`;

const ORDER_REFERENCES = `
  query OrderReferences($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Order { id status } }
  }
`;

const ORDER = `
  query Order($id: ID!) { order(id: $id) { id status amountCents card { id } createdAt } }
`;

const USER_ORDERS = `
  query UserOrders($representations: [_Any!]!, $first: Int = 20, $after: String) {
    _entities(representations: $representations) {
      ... on User {
        orders(first: $first, after: $after) {
          edges { cursor node { id } }
          pageInfo { hasNextPage hasPreviousPage endCursor }
        }
      }
    }
  }
`;

interface CardOrdersData {
  _entities: Array<{ id: string; order: { id: string; status: string } | null } | null>;
}

interface UserOrdersData {
  _entities: Array<{
    orders: {
      edges: Array<{ cursor: string; node: { id: string } }>;
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
    };
  } | null>;
}

const PRICE_CENTS = 1250;

let stack: PaymentsTestGraph;
let templateId: string;
let keySequence = 0;

beforeAll(async () => {
  stack = await startPaymentsGraph();
  templateId = await stack.addTemplate(PRICE_CENTS);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** Pays for a new card of `userId` and returns the card and order ids. */
async function payNewCard(userId: string): Promise<{ cardId: string; orderId: string }> {
  const cardId = stack.cards.addCard(userId, templateId);
  keySequence += 1;
  const result = await stack.call<{ checkout: { order: { id: string } } }>(userId, CHECKOUT, {
    input: { cardId, paymentToken: 'tok_ok', idempotencyKey: `orders-test-${keySequence}` },
  });
  if (!result.data?.checkout) {
    throw new Error(`checkout failed: ${JSON.stringify(result.errors)}`);
  }
  return { cardId, orderId: result.data.checkout.order.id };
}

describe('Card.order', () => {
  test('30 cards cost one find on orders', async () => {
    const userId = newUserId();
    const paid = await Promise.all(Array.from({ length: 5 }, () => payNewCard(userId)));
    const unpaid = Array.from({ length: 25 }, () => newOwnedId('card', userId));
    const cardIds = [...paid.map((card) => card.cardId), ...unpaid];
    const representations = cardIds.map((id) => ({ __typename: 'Card', id }));

    const orderFinds = { collection: 'orders', command: 'find' };
    const commandsBefore = await storeCommandCount(stack.paymentsUrl, { collection: 'orders' });
    const findsBefore = await storeCommandCount(stack.paymentsUrl, orderFinds);
    const result = await stack.call<CardOrdersData>(userId, CARD_ORDERS, { representations });
    const commandsAfter = await storeCommandCount(stack.paymentsUrl, { collection: 'orders' });
    const findsAfter = await storeCommandCount(stack.paymentsUrl, orderFinds);

    expect(result.errors).toBeUndefined();
    expect(findsAfter - findsBefore).toBe(1);
    expect(commandsAfter - commandsBefore).toBe(1);
    const entities = result.data?._entities ?? [];
    expect(entities).toHaveLength(30);
    paid.forEach(({ orderId }, index) => {
      expect(entities[index]?.order?.id).toBe(orderId);
    });
    for (const entity of entities.slice(paid.length)) {
      expect(entity?.order).toBeNull();
    }
  });

  test("other user's card shows no order", async () => {
    const ownerId = newUserId();
    const { cardId } = await payNewCard(ownerId);

    const result = await stack.call<CardOrdersData>(newUserId(), CARD_ORDERS, {
      representations: [{ __typename: 'Card', id: cardId }],
    });

    expect(result.errors).toBeUndefined();
    expect(result.data?._entities[0]?.order).toBeNull();
  });
});

describe('order', () => {
  test('owner reads own order', async () => {
    const userId = newUserId();
    const { cardId, orderId } = await payNewCard(userId);

    const result = await stack.call<{
      order: {
        id: string;
        status: string;
        amountCents: number;
        card: { id: string };
        createdAt: string;
      };
    }>(userId, ORDER, { id: orderId });

    expect(result.errors).toBeUndefined();
    expect(result.data?.order.id).toBe(orderId);
    expect(result.data?.order.amountCents).toBe(PRICE_CENTS);
    expect(result.data?.order.card.id).toBe(cardId);
    expect(result.data?.order.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
  });

  test("other user's order is null", async () => {
    const { orderId } = await payNewCard(newUserId());

    const result = await stack.call<{ order: unknown }>(newUserId(), ORDER, { id: orderId });

    expect(result.errors).toBeUndefined();
    expect(result.data?.order).toBeNull();
  });

  test('anonymous order read is UNAUTHENTICATED', async () => {
    const { orderId } = await payNewCard(newUserId());

    const result = await stack.call(null, ORDER, { id: orderId });

    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  test('order reference resolves for owner only', async () => {
    const userId = newUserId();
    const { orderId } = await payNewCard(userId);
    const representations = [{ __typename: 'Order', id: orderId }];

    const own = await stack.call<{ _entities: Array<{ id: string } | null> }>(
      userId,
      ORDER_REFERENCES,
      { representations },
    );
    const other = await stack.call<{ _entities: Array<{ id: string } | null> }>(
      newUserId(),
      ORDER_REFERENCES,
      { representations },
    );

    expect(own.data?._entities[0]?.id).toBe(orderId);
    expect(other.data?._entities[0]).toBeNull();
  });
});

describe('User.orders', () => {
  test('pages newest first', async () => {
    const userId = newUserId();
    const created: string[] = [];
    for (let index = 0; index < 3; index++) {
      created.push((await payNewCard(userId)).orderId);
    }
    const representations = [{ __typename: 'User', id: userId }];

    const firstPage = await stack.call<UserOrdersData>(userId, USER_ORDERS, {
      representations,
      first: 2,
    });
    const firstOrders = firstPage.data?._entities[0]?.orders;
    const secondPage = await stack.call<UserOrdersData>(userId, USER_ORDERS, {
      representations,
      first: 2,
      after: firstOrders?.pageInfo.endCursor,
    });
    const secondOrders = secondPage.data?._entities[0]?.orders;

    expect(firstPage.errors).toBeUndefined();
    expect(firstOrders?.edges.map((edge) => edge.node.id)).toEqual([created[2], created[1]]);
    expect(firstOrders?.pageInfo.hasNextPage).toBe(true);
    expect(secondOrders?.edges.map((edge) => edge.node.id)).toEqual([created[0]]);
    expect(secondOrders?.pageInfo.hasNextPage).toBe(false);
    expect(secondOrders?.pageInfo.hasPreviousPage).toBe(true);
  });

  test("other user's orders are FORBIDDEN", async () => {
    const ownerId = newUserId();
    await payNewCard(ownerId);

    const result = await stack.call(newUserId(), USER_ORDERS, {
      representations: [{ __typename: 'User', id: ownerId }],
    });

    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  test('malformed cursor is BAD_USER_INPUT', async () => {
    const userId = newUserId();

    const result = await stack.call(userId, USER_ORDERS, {
      representations: [{ __typename: 'User', id: userId }],
      after: 'not-a-cursor',
    });

    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
