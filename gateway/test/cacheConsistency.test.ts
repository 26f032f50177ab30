import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  findRepoRoot,
  graphql,
  startGraph,
  storeCommandCount,
  type TestGraph,
} from '@heartfelt/testkit';

const root = findRepoRoot();
const operation = (name: string) =>
  readFileSync(join(root, 'schema', 'operations', `${name}.graphql`), 'utf8');

const TEMPLATE_ID = 'tpl_kkkkkkkkkkkkkkkkkkkk';
const UNREAD_TEMPLATE_ID = 'tpl_mmmmmmmmmmmmmmmmmmmm';
const CARD_QUERY = 'query ($id: ID!) { card(id: $id) { id message } }';
const CONTACTS_QUERY = 'query { me { contacts { id name } } }';
let graph: TestGraph;

beforeAll(async () => {
  // The default entity cache TTL applies, so that every read after the first can be a hit. The
  // gateway's response cache is off, so that every request reaches the entity cache.
  graph = await startGraph({ env: { RESPONSE_CACHE_ENABLED: 'false' } });
  await graph.db.collection('templates').insertMany(
    [TEMPLATE_ID, UNREAD_TEMPLATE_ID].map((id, index) => ({
      _id: id as never,
      title: `Cached ${index}`,
      occasion: 'BIRTHDAY',
      tags: [],
      artworkUrl: `https://assets.heartfelt.example/templates/${id}.png`,
      priceCents: 500,
      popularity: index,
      createdAt: new Date(),
    })),
  );
});

afterAll(async () => {
  await graph?.stop();
});

async function signUp(email: string): Promise<string> {
  const result = await graphql<{ signUp: { token: string } }>(
    graph.gatewayUrl,
    operation('SignUp'),
    { variables: { input: { email, password: 'correct horse battery', displayName: 'Cy' } } },
  );
  expect(result.errors).toBeUndefined();
  return result.data!.signUp.token;
}

async function addContact(token: string, name: string): Promise<string> {
  const result = await graphql<{ addContact: { id: string } }>(
    graph.gatewayUrl,
    operation('AddContact'),
    {
      token,
      variables: {
        input: {
          name,
          relationship: 'friend',
          birthday: '1991-03-04',
          timeZone: 'Europe/Berlin',
          email: 'friend@example.com',
        },
      },
    },
  );
  expect(result.errors).toBeUndefined();
  return result.data!.addContact.id;
}

async function cardMessage(token: string, id: string): Promise<string | undefined> {
  const result = await graphql<{ card: { message: string } | null }>(graph.gatewayUrl, CARD_QUERY, {
    token,
    variables: { id },
  });
  expect(result.errors).toBeUndefined();
  return result.data?.card?.message;
}

describe('entity cache through the gateway', () => {
  it('sends one find for concurrent misses', async () => {
    const templatesUrl = graph.subgraphUrls.templates;
    const before = await storeCommandCount(templatesUrl, {
      collection: 'templates',
      command: 'find',
    });
    const token = await signUp('flight@example.com');
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        graphql<{ template: { id: string } | null }>(
          graph.gatewayUrl,
          'query ($id: ID!) { template(id: $id) { id } }',
          { token, variables: { id: UNREAD_TEMPLATE_ID } },
        ),
      ),
    );
    const after = await storeCommandCount(templatesUrl, {
      collection: 'templates',
      command: 'find',
    });
    expect(results.every((result) => result.data?.template?.id === UNREAD_TEMPLATE_ID)).toBe(true);
    expect(after - before).toBe(1);
  });

  it('returns an updated card message at once', async () => {
    const token = await signUp('writer@example.com');
    const contactId = await addContact(token, 'Dee');
    const created = await graphql<{ createCard: { id: string } }>(
      graph.gatewayUrl,
      operation('CreateCard'),
      {
        token,
        variables: { input: { templateId: TEMPLATE_ID, contactId, message: 'First draft.' } },
      },
    );
    expect(created.errors).toBeUndefined();
    const cardId = created.data!.createCard.id;
    // Two reads, so that the old message is in the cache before the update.
    expect(await cardMessage(token, cardId)).toBe('First draft.');
    expect(await cardMessage(token, cardId)).toBe('First draft.');

    const updated = await graphql(graph.gatewayUrl, operation('UpdateCard'), {
      token,
      variables: { input: { id: cardId, message: 'Second draft.' } },
    });
    expect(updated.errors).toBeUndefined();
    expect(await cardMessage(token, cardId)).toBe('Second draft.');

    const dashboard = await graphql<{
      me: { cards: { edges: Array<{ node: { id: string; message: string } }> } };
    }>(graph.gatewayUrl, operation('Dashboard'), { token });
    expect(dashboard.errors).toBeUndefined();
    const node = dashboard.data?.me.cards.edges.find((edge) => edge.node.id === cardId)?.node;
    expect(node?.message).toBe('Second draft.');
  });

  it('lists a contact right after adding it', async () => {
    const token = await signUp('contacts@example.com');
    await addContact(token, 'Eve');
    const first = await graphql(graph.gatewayUrl, CONTACTS_QUERY, { token });
    expect(first.errors).toBeUndefined();

    const contactId = await addContact(token, 'Fay');
    const second = await graphql<{ me: { contacts: Array<{ id: string }> } }>(
      graph.gatewayUrl,
      CONTACTS_QUERY,
      { token },
    );
    expect(second.errors).toBeUndefined();
    expect(second.data?.me.contacts.map((contact) => contact.id)).toContain(contactId);
  });
});

interface DashboardCard {
  id: string;
  message: string;
  order: { status: string } | null;
}

async function dashboardCard(token: string, cardId: string): Promise<DashboardCard | undefined> {
  const result = await graphql<{ me: { cards: { edges: Array<{ node: DashboardCard }> } } }>(
    graph.gatewayUrl,
    operation('Dashboard'),
    { token },
  );
  expect(result.errors).toBeUndefined();
  return result.data?.me.cards.edges.find((edge) => edge.node.id === cardId)?.node;
}

async function createCard(token: string, message: string): Promise<string> {
  const contactId = await addContact(token, 'Gil');
  const created = await graphql<{ createCard: { id: string } }>(
    graph.gatewayUrl,
    operation('CreateCard'),
    { token, variables: { input: { templateId: TEMPLATE_ID, contactId, message } } },
  );
  expect(created.errors).toBeUndefined();
  return created.data!.createCard.id;
}

async function checkout(token: string, cardId: string, idempotencyKey: string): Promise<string> {
  const result = await graphql<{ checkout: { order: { id: string } } }>(
    graph.gatewayUrl,
    operation('Checkout'),
    { token, variables: { input: { cardId, paymentToken: 'tok_ok', idempotencyKey } } },
  );
  expect(result.errors).toBeUndefined();
  return result.data!.checkout.order.id;
}

describe('order and card page caches through the gateway', () => {
  it('lists a new card in a cached me.cards page', async () => {
    const token = await signUp('pages@example.com');
    const firstId = await createCard(token, 'One.');
    // Two reads, so that the page without the second card is in the cache.
    expect((await dashboardCard(token, firstId))?.message).toBe('One.');
    expect((await dashboardCard(token, firstId))?.message).toBe('One.');

    const secondId = await createCard(token, 'Two.');
    expect((await dashboardCard(token, secondId))?.message).toBe('Two.');
  });

  it('shows an updated message in a cached me.cards page', async () => {
    const token = await signUp('page-edit@example.com');
    const cardId = await createCard(token, 'Before.');
    expect((await dashboardCard(token, cardId))?.message).toBe('Before.');
    expect((await dashboardCard(token, cardId))?.message).toBe('Before.');

    const updated = await graphql(graph.gatewayUrl, operation('UpdateCard'), {
      token,
      variables: { input: { id: cardId, message: 'After.' } },
    });
    expect(updated.errors).toBeUndefined();
    expect((await dashboardCard(token, cardId))?.message).toBe('After.');
  });

  it('shows the order on the Dashboard right after checkout', async () => {
    const token = await signUp('buyer@example.com');
    const cardId = await createCard(token, 'Paid soon.');
    // Two reads, so that "no order" for the card is in the cache.
    expect((await dashboardCard(token, cardId))?.order).toBeNull();
    expect((await dashboardCard(token, cardId))?.order).toBeNull();

    await checkout(token, cardId, 'cache-buyer-1');
    expect((await dashboardCard(token, cardId))?.order?.status).toBe('PAID');
  });

  it('shows REFUNDED right after a refund', async () => {
    const token = await signUp('refunder@example.com');
    const cardId = await createCard(token, 'Refunded soon.');
    const orderId = await checkout(token, cardId, 'cache-refunder-1');
    const orderStatus = async () => {
      const result = await graphql<{ order: { status: string } | null }>(
        graph.gatewayUrl,
        'query ($id: ID!) { order(id: $id) { status } }',
        { token, variables: { id: orderId } },
      );
      expect(result.errors).toBeUndefined();
      return result.data?.order?.status;
    };
    // Two reads of each, so that the PAID order is in the cache by id and by card.
    expect(await orderStatus()).toBe('PAID');
    expect(await orderStatus()).toBe('PAID');
    expect((await dashboardCard(token, cardId))?.order?.status).toBe('PAID');
    expect((await dashboardCard(token, cardId))?.order?.status).toBe('PAID');

    const refund = await graphql(
      graph.gatewayUrl,
      'mutation ($id: ID!) { refundOrder(id: $id, idempotencyKey: "cache-refund-1") { order { id } } }',
      { token, variables: { id: orderId } },
    );
    expect(refund.errors).toBeUndefined();
    expect(await orderStatus()).toBe('REFUNDED');
    expect((await dashboardCard(token, cardId))?.order?.status).toBe('REFUNDED');
  });
});
