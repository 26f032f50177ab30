import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_TOKEN_HEADER } from '@heartfelt/kit';
import {
  findRepoRoot,
  gatewayTokenFor,
  graphql,
  startGraph,
  subgraphNames,
  type SubgraphName,
  type TestGraph,
} from '@heartfelt/testkit';

const root = findRepoRoot();
const operation = (name: string) =>
  readFileSync(join(root, 'schema', 'operations', `${name}.graphql`), 'utf8');

const TEMPLATE_ID = 'tpl_eeeeeeeeeeeeeeeeeeee';
let graph: TestGraph;

/** What user B owns; user A tries to read each of them. */
interface Victim {
  token: string;
  userId: string;
  contactId: string;
  cardId: string;
  orderId: string;
  generationId: string;
}

let attacker: { token: string; userId: string };
let victim: Victim;

async function signUp(email: string) {
  const result = await graphql<{ signUp: { token: string; user: { id: string } } }>(
    graph.gatewayUrl,
    operation('SignUp'),
    { variables: { input: { email, password: 'correct horse battery', displayName: 'Bo' } } },
  );
  expect(result.errors).toBeUndefined();
  return { token: result.data!.signUp.token, userId: result.data!.signUp.user.id };
}

async function send<Data>(token: string, name: string, variables: Record<string, unknown>) {
  const result = await graphql<Data>(graph.gatewayUrl, operation(name), { token, variables });
  expect(result.errors).toBeUndefined();
  return result.data!;
}

beforeAll(async () => {
  graph = await startGraph();
  await graph.db.collection('templates').insertOne({
    _id: TEMPLATE_ID as never,
    title: 'Kites',
    occasion: 'BIRTHDAY',
    tags: ['sky'],
    artworkUrl: 'https://assets.heartfelt.example/templates/e.png',
    priceCents: 299,
    popularity: 1,
    createdAt: new Date(),
  });

  attacker = await signUp('mallory@example.com');
  const owner = await signUp('bo@example.com');
  const { addContact } = await send<{ addContact: { id: string } }>(owner.token, 'AddContact', {
    input: {
      name: 'Cy',
      relationship: 'friend',
      birthday: '1990-05-01',
      timeZone: 'Europe/Paris',
      email: 'cy@example.com',
    },
  });
  const { createCard } = await send<{ createCard: { id: string } }>(owner.token, 'CreateCard', {
    input: { templateId: TEMPLATE_ID, contactId: addContact.id, message: 'Happy birthday, Cy!' },
  });
  const { checkout } = await send<{ checkout: { order: { id: string } } }>(
    owner.token,
    'Checkout',
    { input: { cardId: createCard.id, paymentToken: 'tok_ok', idempotencyKey: 'owner-checks-1' } },
  );
  const { generateMessage } = await send<{ generateMessage: { id: string } }>(
    owner.token,
    'GenerateMessage',
    { input: { occasion: 'BIRTHDAY', recipientName: 'Cy', relationship: 'friend' } },
  );
  victim = {
    ...owner,
    contactId: addContact.id,
    cardId: createCard.id,
    orderId: checkout.order.id,
    generationId: generateMessage.id,
  };
});

afterAll(async () => {
  await graph?.stop();
});

/** Sends an `_entities` request to a subgraph, signed as the gateway would for `userId`. */
async function entities(
  subgraph: SubgraphName,
  userId: string | null,
  representation: Record<string, unknown>,
  selection: string,
) {
  return graphql<{ _entities: Array<Record<string, unknown> | null> }>(
    graph.subgraphUrls[subgraph],
    `query ($representations: [_Any!]!) { _entities(representations: $representations) { ${selection} } }`,
    {
      variables: { representations: [representation] },
      headers: { [GATEWAY_TOKEN_HEADER]: await gatewayTokenFor(subgraph, userId) },
    },
  );
}

describe('owner checks on _entities, signed as another user', () => {
  it('return null for a Contact of someone else', async () => {
    const result = await entities(
      'users',
      attacker.userId,
      { __typename: 'Contact', id: victim.contactId },
      '... on Contact { id name email }',
    );
    expect(result.data?._entities).toEqual([null]);
  });

  it('hide the email and contacts of another User', async () => {
    const email = await entities(
      'users',
      attacker.userId,
      { __typename: 'User', id: victim.userId },
      '... on User { id email }',
    );
    expect(email.data?._entities).toEqual([{ id: victim.userId, email: null }]);

    const contacts = await entities(
      'users',
      attacker.userId,
      { __typename: 'User', id: victim.userId },
      '... on User { contacts { id } }',
    );
    expect(contacts.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(contacts.data)).not.toContain(victim.contactId);
  });

  it('return null for a Card of someone else', async () => {
    const result = await entities(
      'cards',
      attacker.userId,
      { __typename: 'Card', id: victim.cardId },
      '... on Card { id message }',
    );
    expect(result.data?._entities).toEqual([null]);
  });

  it('refuse the card list of another User', async () => {
    const result = await entities(
      'cards',
      attacker.userId,
      { __typename: 'User', id: victim.userId },
      '... on User { cards(first: 5) { edges { node { id message } } } }',
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(result.data)).not.toContain(victim.cardId);
  });

  it('return null for an Order of someone else, directly or through its Card', async () => {
    const order = await entities(
      'payments',
      attacker.userId,
      { __typename: 'Order', id: victim.orderId },
      '... on Order { id amountCents status }',
    );
    expect(order.data?._entities).toEqual([null]);

    const viaCard = await entities(
      'payments',
      attacker.userId,
      { __typename: 'Card', id: victim.cardId },
      '... on Card { order { id status } }',
    );
    expect(viaCard.data?._entities).toEqual([{ order: null }]);
  });

  it('refuse the order list of another User', async () => {
    const result = await entities(
      'payments',
      attacker.userId,
      { __typename: 'User', id: victim.userId },
      '... on User { orders(first: 5) { edges { node { id } } } }',
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(result.data)).not.toContain(victim.orderId);
  });

  it('return null for a MessageGeneration of someone else', async () => {
    const result = await entities(
      'ai',
      attacker.userId,
      { __typename: 'MessageGeneration', id: victim.generationId },
      '... on MessageGeneration { id status suggestions }',
    );
    expect(result.data?._entities).toEqual([null]);
  });

  it('refuse the reminders of another User', async () => {
    const result = await entities(
      'ai',
      attacker.userId,
      { __typename: 'User', id: victim.userId },
      '... on User { reminders { id draft } }',
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('return the owner their own entities, so the checks can tell owners apart', async () => {
    const card = await entities(
      'cards',
      victim.userId,
      { __typename: 'Card', id: victim.cardId },
      '... on Card { id }',
    );
    expect(card.data?._entities).toEqual([{ id: victim.cardId }]);
    const order = await entities(
      'payments',
      victim.userId,
      { __typename: 'Order', id: victim.orderId },
      '... on Order { id }',
    );
    expect(order.data?._entities).toEqual([{ id: victim.orderId }]);
  });

  it('return null to an anonymous signed request', async () => {
    const result = await entities(
      'cards',
      null,
      { __typename: 'Card', id: victim.cardId },
      '... on Card { id }',
    );
    expect(result.data?._entities).toEqual([null]);
  });
});

describe('owner checks through the gateway, by id', () => {
  it.each([
    ['card', 'query ($id: ID!) { card(id: $id) { id message } }', () => victim.cardId],
    ['order', 'query ($id: ID!) { order(id: $id) { id amountCents } }', () => victim.orderId],
    [
      'messageGeneration',
      'query ($id: ID!) { messageGeneration(id: $id) { id suggestions } }',
      () => victim.generationId,
    ],
  ])('%s of someone else is null', async (field, query, id) => {
    const result = await graphql<Record<string, unknown>>(graph.gatewayUrl, query, {
      token: attacker.token,
      variables: { id: id() },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.[field]).toBeNull();
  });

  it('lists only the caller’s own cards and orders', async () => {
    const result = await graphql<{
      me: { cards: { edges: unknown[] }; orders: { edges: unknown[] }; contacts: unknown[] };
    }>(
      graph.gatewayUrl,
      '{ me { cards(first: 20) { edges { node { id } } } orders(first: 20) { edges { node { id } } } contacts { id } } }',
      { token: attacker.token },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.me.cards.edges).toEqual([]);
    expect(result.data?.me.orders.edges).toEqual([]);
    expect(result.data?.me.contacts).toEqual([]);
  });
});

describe('subgraph signatures', () => {
  it.each(subgraphNames)('%s rejects _entities and _service without one', async (name) => {
    for (const query of [
      '{ _service { sdl } }',
      '{ _entities(representations: [{__typename: "User", id: "x"}]) { __typename } }',
    ]) {
      const result = await graphql(graph.subgraphUrls[name], query);
      expect({ query, status: result.status }).toEqual({ query, status: 401 });
    }
  });

  it.each(subgraphNames)('%s rejects a signature made for another subgraph', async (name) => {
    const other = name === 'users' ? 'cards' : 'users';
    const result = await graphql(graph.subgraphUrls[name], '{ _service { sdl } }', {
      headers: { [GATEWAY_TOKEN_HEADER]: await gatewayTokenFor(other, victim.userId) },
    });
    expect(result.status).toBe(401);
  });

  it('rejects a client that forges the header with the access token', async () => {
    const result = await graphql(graph.subgraphUrls.cards, '{ _service { sdl } }', {
      headers: { [GATEWAY_TOKEN_HEADER]: victim.token },
    });
    expect(result.status).toBe(401);
  });
});
