import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newOwnedId } from '@heartfelt/kit';
import {
  findRepoRoot,
  graphql,
  startGraph,
  storeCommandCount,
  subgraphNames,
  type TestGraph,
} from '@heartfelt/testkit';

const root = findRepoRoot();
const dashboard = readFileSync(join(root, 'schema', 'operations', 'Dashboard.graphql'), 'utf8');
const templateIds = Array.from(
  { length: 10 },
  (_unused, index) => `tpl_${String.fromCharCode(97 + index).repeat(20)}`,
);
let graph: TestGraph;

beforeAll(async () => {
  // The entity cache is off so that every read reaches the store and is counted.
  graph = await startGraph({ env: { ENTITY_CACHE_TTL_SECONDS: '0' } });
  await graph.db.collection('templates').insertMany(
    templateIds.map((id, index) => ({
      _id: id as never,
      title: `Template ${index}`,
      occasion: 'BIRTHDAY',
      tags: [],
      artworkUrl: `https://assets.heartfelt.example/templates/${id}.png`,
      priceCents: 300 + index,
      popularity: index,
      createdAt: new Date(),
    })),
  );
});

afterAll(async () => {
  await graph?.stop();
});

/** Signs up a user and stores `count` cards for them directly, half of them paid. */
async function userWithCards(email: string, count: number): Promise<string> {
  const signUp = await graphql<{ signUp: { token: string; user: { id: string } } }>(
    graph.gatewayUrl,
    'mutation ($input: SignUpInput!) { signUp(input: $input) { token user { id } } }',
    { variables: { input: { email, password: 'correct horse battery', displayName: 'Counter' } } },
  );
  const { token, user } = signUp.data!.signUp;
  const contactId = newOwnedId('contact', user.id);
  const now = Date.now();
  const cards = Array.from({ length: count }, (_unused, index) => ({
    _id: newOwnedId('card', user.id),
    ownerId: user.id,
    templateId: templateIds[index % templateIds.length],
    contactId,
    message: index % 2 ? 'Happy birthday, with love!' : 'Thinking of you today.',
    status: index % 2 ? 'SCHEDULED' : 'DRAFT',
    sendAt: index % 2 ? new Date(now + 86_400_000) : null,
    createdAt: new Date(now - index * 1000),
    updatedAt: new Date(now - index * 1000),
  }));
  await graph.db.collection('cards').insertMany(cards as never[]);
  await graph.db.collection('orders').insertMany(
    cards
      .filter((card) => card.status === 'SCHEDULED')
      .map((card) => ({
        _id: newOwnedId('order', user.id) as never,
        ownerId: user.id,
        cardId: card._id,
        idempotencyKey: `key-${card._id}`,
        requestHash: 'test',
        amountCents: 300,
        currency: 'USD',
        status: 'PAID',
        chargeId: 'ch_test',
        createdAt: card.createdAt,
        updatedAt: card.createdAt,
      })),
  );
  return token;
}

/** Runs the Dashboard and returns how many store commands all subgraphs sent for it. */
async function dashboardStoreCommands(
  token: string,
  first: number,
): Promise<{ commands: number; cards: number }> {
  const count = () =>
    Promise.all(subgraphNames.map((name) => storeCommandCount(graph.subgraphUrls[name])));
  const before = await count();
  const result = await graphql<{ me: { cards: { edges: unknown[] } } }>(
    graph.gatewayUrl,
    dashboard,
    {
      token,
      variables: { first },
    },
  );
  expect(result.errors).toBeUndefined();
  const after = await count();
  const commands = after.reduce((sum, value, index) => sum + value - before[index]!, 0);
  return { commands, cards: result.data!.me.cards.edges.length };
}

describe('Dashboard batching', () => {
  it('sends as many store commands for 50 cards as for 5', async () => {
    const few = await dashboardStoreCommands(await userWithCards('few@example.com', 5), 50);
    const many = await dashboardStoreCommands(await userWithCards('many@example.com', 50), 50);
    expect(few.cards).toBe(5);
    expect(many.cards).toBe(50);
    expect(many.commands).toBe(few.commands);
    // One query each: user, cards page, templates, orders.
    expect(many.commands).toBeLessThanOrEqual(6);
  });
});
