import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  findRepoRoot,
  graphql,
  startGraph,
  subgraphNames,
  type TestGraph,
} from '@heartfelt/testkit';

const root = findRepoRoot();
const operation = (name: string) =>
  readFileSync(join(root, 'schema', 'operations', `${name}.graphql`), 'utf8');

const TEMPLATE_ID = 'tpl_bbbbbbbbbbbbbbbbbbbb';
const PRICIER_TEMPLATE_ID = 'tpl_cccccccccccccccccccc';
let graph: TestGraph;

beforeAll(async () => {
  graph = await startGraph();
  await graph.db.collection('templates').insertMany([
    {
      _id: TEMPLATE_ID as never,
      title: 'Balloon',
      occasion: 'BIRTHDAY',
      tags: ['party'],
      artworkUrl: 'https://assets.heartfelt.example/templates/b.png',
      priceCents: 449,
      popularity: 50,
      createdAt: new Date(),
    },
    {
      _id: PRICIER_TEMPLATE_ID as never,
      title: 'Gold Foil',
      occasion: 'ANNIVERSARY',
      tags: ['gold'],
      artworkUrl: 'https://assets.heartfelt.example/templates/c.png',
      priceCents: 999,
      popularity: 40,
      createdAt: new Date(),
    },
  ]);
});

afterAll(async () => {
  await graph?.stop();
});

async function signUp(
  email: string,
  displayName = 'Ada',
): Promise<{ token: string; userId: string }> {
  const result = await graphql<{ signUp: { token: string; user: { id: string } } }>(
    graph.gatewayUrl,
    operation('SignUp'),
    { variables: { input: { email, password: 'correct horse battery', displayName } } },
  );
  expect(result.errors).toBeUndefined();
  return { token: result.data!.signUp.token, userId: result.data!.signUp.user.id };
}

async function addContact(token: string): Promise<string> {
  const result = await graphql<{ addContact: { id: string } }>(
    graph.gatewayUrl,
    operation('AddContact'),
    {
      token,
      variables: {
        input: {
          name: 'Bo',
          relationship: 'friend',
          birthday: '1990-05-01',
          timeZone: 'Europe/Paris',
          email: 'bo@example.com',
        },
      },
    },
  );
  expect(result.errors).toBeUndefined();
  return result.data!.addContact.id;
}

async function createCard(
  token: string,
  contactId: string,
  message = 'Happy birthday, Bo! I love you.',
): Promise<string> {
  const result = await graphql<{ createCard: { id: string; status: string } }>(
    graph.gatewayUrl,
    operation('CreateCard'),
    {
      token,
      variables: { input: { templateId: TEMPLATE_ID, contactId, message } },
    },
  );
  expect(result.errors).toBeUndefined();
  expect(result.data!.createCard.status).toBe('DRAFT');
  return result.data!.createCard.id;
}

const codeOf = (result: { errors?: Array<{ extensions?: Record<string, unknown> }> }) =>
  result.errors?.[0]?.extensions?.code;

describe('end to end through the gateway', () => {
  it('signs up, adds a contact, creates a card, checks out and loads the Dashboard', async () => {
    const { token } = await signUp('ada@example.com');
    const logIn = await graphql<{ logIn: { token: string } }>(
      graph.gatewayUrl,
      operation('LogIn'),
      {
        variables: { input: { email: 'ADA@example.com', password: 'correct horse battery' } },
      },
    );
    expect(logIn.errors).toBeUndefined();
    expect(typeof logIn.data?.logIn.token).toBe('string');

    const contactId = await addContact(token);
    const cardId = await createCard(token, contactId);
    const checkout = await graphql<{
      checkout: { order: { id: string; status: string; amountCents: number } };
    }>(graph.gatewayUrl, operation('Checkout'), {
      token,
      variables: { input: { cardId, paymentToken: 'tok_ok', idempotencyKey: 'e2e-checkout-1' } },
    });
    expect(checkout.errors).toBeUndefined();
    expect(checkout.data?.checkout.order.status).toBe('PAID');
    expect(checkout.data?.checkout.order.amountCents).toBe(449);

    const dashboard = await graphql<{
      me: {
        displayName: string;
        cards: {
          edges: Array<{ node: Record<string, unknown> }>;
          pageInfo: { hasNextPage: boolean };
        };
      };
      templates: { edges: Array<{ node: { id: string } }> };
    }>(graph.gatewayUrl, operation('Dashboard'), { token });
    expect(dashboard.errors).toBeUndefined();
    expect(dashboard.data?.me.displayName).toBe('Ada');
    expect(dashboard.data?.me.cards.pageInfo.hasNextPage).toBe(false);
    expect(dashboard.data?.templates.edges.map((edge) => edge.node.id)).toEqual([TEMPLATE_ID]);

    const node = dashboard.data!.me.cards.edges[0]!.node as {
      id: string;
      status: string;
      template: { title: string; priceCents: number };
      sentiment: { label: string; score: number };
      musicSuggestions: Array<{ title: string }>;
      order: { status: string; amountCents: number };
    };
    expect(node.id).toBe(cardId);
    expect(node.template).toEqual({ title: 'Balloon', occasion: 'BIRTHDAY', priceCents: 449 });
    expect(node.sentiment.label).toBe('POSITIVE');
    expect(node.musicSuggestions.length).toBeGreaterThan(0);
    expect(node.order).toEqual({ status: 'PAID', amountCents: 449 });
  });

  it('rejects bad input to each mutation with a stable code', async () => {
    const { token } = await signUp('bea@example.com', 'Bea');
    const other = await signUp('cy@example.com', 'Cy');
    const otherCard = await createCard(other.token, await addContact(other.token));
    const before = await graph.db.collection('cards').countDocuments();

    const cases: Array<[string, string, Record<string, unknown>, string | undefined, string]> = [
      [
        'SignUp',
        'malformed email',
        { input: { email: 'not-an-email', password: 'long enough pw', displayName: 'X' } },
        undefined,
        'BAD_USER_INPUT',
      ],
      [
        'SignUp',
        'taken email',
        { input: { email: 'bea@example.com', password: 'long enough pw', displayName: 'X' } },
        undefined,
        'EMAIL_TAKEN',
      ],
      [
        'LogIn',
        'wrong password',
        { input: { email: 'bea@example.com', password: 'wrong password' } },
        undefined,
        'INVALID_CREDENTIALS',
      ],
      [
        'AddContact',
        'unknown time zone',
        {
          input: {
            name: 'Di',
            relationship: 'friend',
            timeZone: 'Mars/Olympus',
            email: 'di@example.com',
          },
        },
        token,
        'BAD_USER_INPUT',
      ],
      [
        'AddContact',
        'no token',
        { input: { name: 'Di', relationship: 'friend', timeZone: 'UTC', email: 'di@example.com' } },
        undefined,
        'UNAUTHENTICATED',
      ],
      [
        'CreateCard',
        'unknown template',
        {
          input: {
            templateId: 'tpl_zzzzzzzzzzzzzzzzzzzz',
            contactId: 'ctc_aaaaaaaaaaaaaaaaaaaa_aaaaaaaaaaaa',
            message: 'Hi',
          },
        },
        token,
        'NOT_FOUND',
      ],
      [
        'Checkout',
        "someone else's card",
        { input: { cardId: otherCard, paymentToken: 'tok_ok', idempotencyKey: 'e2e-other-card' } },
        token,
        'NOT_FOUND',
      ],
      ['Dashboard', 'negative first', { first: -1 }, token, 'BAD_USER_INPUT'],
      [
        'AddContact',
        'impossible birthday',
        {
          input: {
            name: 'Di',
            relationship: 'friend',
            birthday: '1990-02-30',
            timeZone: 'UTC',
            email: 'di@example.com',
          },
        },
        token,
        'BAD_USER_INPUT',
      ],
      [
        'AddContact',
        'operator as birthday',
        {
          input: {
            name: 'Di',
            relationship: 'friend',
            birthday: { $ne: 1 },
            timeZone: 'UTC',
            email: 'di@example.com',
          },
        },
        token,
        'BAD_USER_INPUT',
      ],
      [
        'AddContact',
        'NUL in name',
        {
          input: {
            name: 'D\u0000i',
            relationship: 'friend',
            timeZone: 'UTC',
            email: 'di@example.com',
          },
        },
        token,
        'BAD_USER_INPUT',
      ],
    ];
    for (const [name, label, variables, caseToken, code] of cases) {
      const result = await graphql(graph.gatewayUrl, operation(name), {
        variables,
        token: caseToken,
      });
      expect({ label, code: codeOf(result) }).toEqual({ label, code });
    }
    expect(await graph.db.collection('cards').countDocuments()).toBe(before);
  });

  it('declines a payment and leaves no order behind', async () => {
    const { token } = await signUp('dee@example.com', 'Dee');
    const cardId = await createCard(token, await addContact(token));
    const result = await graphql(graph.gatewayUrl, operation('Checkout'), {
      token,
      variables: {
        input: { cardId, paymentToken: 'tok_declined', idempotencyKey: 'e2e-declined-1' },
      },
    });
    expect(codeOf(result)).toBe('PAYMENT_DECLINED');
    expect(await graph.db.collection('orders').countDocuments({ cardId })).toBe(0);
  });

  it('returns one order for a repeated idempotency key', async () => {
    const { token } = await signUp('eve@example.com', 'Eve');
    const cardId = await createCard(token, await addContact(token));
    const send = () =>
      graphql<{ checkout: { order: { id: string } } }>(graph.gatewayUrl, operation('Checkout'), {
        token,
        variables: { input: { cardId, paymentToken: 'tok_ok', idempotencyKey: 'e2e-repeat-1' } },
      });
    const [first, second] = [await send(), await send()];
    expect(first.data?.checkout.order.id).toBe(second.data?.checkout.order.id);
    expect(await graph.db.collection('orders').countDocuments({ cardId })).toBe(1);
  });

  it('keeps the template of a paid card and refunds it once', async () => {
    const { token } = await signUp('fay@example.com', 'Fay');
    const cardId = await createCard(token, await addContact(token));
    const checkout = await graphql<{ checkout: { order: { id: string } } }>(
      graph.gatewayUrl,
      operation('Checkout'),
      {
        token,
        variables: { input: { cardId, paymentToken: 'tok_ok', idempotencyKey: 'e2e-fay-1' } },
      },
    );
    const orderId = checkout.data!.checkout.order.id;

    const swap = await graphql(graph.gatewayUrl, operation('UpdateCard'), {
      token,
      variables: { input: { id: cardId, templateId: PRICIER_TEMPLATE_ID } },
    });
    expect(codeOf(swap)).toBe('ALREADY_PAID');

    const refund = () =>
      graphql<{ refundOrder: { order: { status: string } } }>(
        graph.gatewayUrl,
        'mutation ($id: ID!) { refundOrder(id: $id, idempotencyKey: "e2e-fay-refund") { order { status } } }',
        { token, variables: { id: orderId } },
      );
    const [first, second] = [await refund(), await refund()];
    expect(first.data?.refundOrder.order.status).toBe('REFUNDED');
    expect(second.data?.refundOrder.order.status).toBe('REFUNDED');
    expect(await graph.db.collection('sandbox_refunds').countDocuments()).toBe(1);
  });

  it.each(subgraphNames)('rejects an unsigned request to the %s subgraph', async (name) => {
    for (const query of [
      '{ _service { sdl } }',
      '{ _entities(representations: [{__typename: "User", id: "x"}]) { __typename } }',
    ]) {
      const result = await graphql(graph.subgraphUrls[name], query);
      expect({ query, status: result.status }).toEqual({ query, status: 401 });
    }
  });
});
