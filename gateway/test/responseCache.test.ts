import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRedis, type ListeningProcess } from '@heartfelt/devstack';
import {
  findRepoRoot,
  graphql,
  startGraph,
  storeCommandCount,
  type TestGraph,
} from '@heartfelt/testkit';

const root = findRepoRoot();
const dashboard = readFileSync(join(root, 'schema', 'operations', 'Dashboard.graphql'), 'utf8');
const catalogue = 'query Catalogue { templates(first: 5) { edges { node { id title } } } }';
const me = 'query Me { me { id displayName } }';
const contacts = 'query Contacts { me { contacts { name } } }';
const addContact = `mutation AddContact($input: AddContactInput!) {
  addContact(input: $input) { id name }
}`;
const templateIds = ['tpl_aaaaaaaaaaaaaaaaaaaa', 'tpl_bbbbbbbbbbbbbbbbbbbb'];
let graph: TestGraph;
let restartedRedis: ListeningProcess | undefined;

beforeAll(async () => {
  // The entity cache is off so that every read the response cache does not save reaches the
  // store and is counted.
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
  await restartedRedis?.stop();
  await graph?.stop();
});

interface SignedUp {
  token: string;
  userId: string;
}

async function signUp(email: string, displayName: string): Promise<SignedUp> {
  const result = await graphql<{ signUp: { token: string; user: { id: string } } }>(
    graph.gatewayUrl,
    'mutation ($input: SignUpInput!) { signUp(input: $input) { token user { id } } }',
    { variables: { input: { email, password: 'correct horse battery', displayName } } },
  );
  const payload = result.data!.signUp;
  return { token: payload.token, userId: payload.user.id };
}

function contactInput(name: string, email: string) {
  return { name, relationship: 'friend', timeZone: 'Europe/Paris', email };
}

function templateFinds(): Promise<number> {
  return storeCommandCount(graph.subgraphUrls.templates!, {
    collection: 'templates',
    command: 'find',
  });
}

test('catalogue is public and served from the cache', async () => {
  const first = await graphql(graph.gatewayUrl, catalogue);
  const findsAfterFirst = await templateFinds();
  const second = await graphql(graph.gatewayUrl, catalogue);

  expect(first.errors).toBeUndefined();
  expect(first.headers.get('cache-control')).toBe('max-age=300, public');
  expect(first.headers.get('age')).toBeNull();
  expect(second.data).toEqual(first.data);
  expect(second.headers.get('cache-control')).toBe('max-age=300, public');
  expect(second.headers.get('age')).not.toBeNull();
  expect(await templateFinds()).toBe(findsAfterFirst);
});

test('same operation with different tokens stays private', async () => {
  const alice = await signUp('alice.cache@example.com', 'Alice');
  const bob = await signUp('bob.cache@example.com', 'Bob');

  for (let round = 0; round < 3; round += 1) {
    for (const [user, name] of [
      [alice, 'Alice'],
      [bob, 'Bob'],
    ] as const) {
      const result = await graphql<{ me: { id: string; displayName: string } }>(
        graph.gatewayUrl,
        me,
        { token: user.token },
      );
      expect(result.data?.me).toEqual({ id: user.userId, displayName: name });
      expect(result.headers.get('cache-control')).toBe('max-age=30, private');
      // From the second round on, each user's response comes from their own cache entry.
      if (round > 0) expect(result.headers.get('age')).not.toBeNull();
    }
  }
});

test('anonymous request gets no private entry', async () => {
  const carol = await signUp('carol.cache@example.com', 'Carol');
  await graphql(graph.gatewayUrl, me, { token: carol.token });
  await graphql(graph.gatewayUrl, me, { token: carol.token });

  const anonymous = await graphql<{ me: unknown }>(graph.gatewayUrl, me);

  expect(anonymous.headers.get('age')).toBeNull();
  expect(anonymous.data?.me ?? null).toBeNull();
});

test('mutation is no-store and never cached', async () => {
  const dave = await signUp('dave.cache@example.com', 'Dave');
  const variables = { input: contactInput('Erin', 'erin@example.com') };

  const first = await graphql<{ addContact: { id: string } }>(graph.gatewayUrl, addContact, {
    token: dave.token,
    variables,
  });
  const second = await graphql<{ addContact: { id: string } }>(graph.gatewayUrl, addContact, {
    token: dave.token,
    variables,
  });

  expect(first.errors).toBeUndefined();
  expect(first.headers.get('cache-control')).toBe('no-store');
  expect(second.headers.get('cache-control')).toBe('no-store');
  expect(second.headers.get('age')).toBeNull();
  expect(second.data?.addContact.id).not.toBe(first.data?.addContact.id);
});

test('cached contacts show a contact added after', async () => {
  const frank = await signUp('frank.cache@example.com', 'Frank');
  await graphql(graph.gatewayUrl, addContact, {
    token: frank.token,
    variables: { input: contactInput('Grace', 'grace@example.com') },
  });
  await graphql(graph.gatewayUrl, contacts, { token: frank.token });
  const cached = await graphql(graph.gatewayUrl, contacts, { token: frank.token });

  await graphql(graph.gatewayUrl, addContact, {
    token: frank.token,
    variables: { input: contactInput('Heidi', 'heidi@example.com') },
  });
  const after = await graphql<{ me: { contacts: Array<{ name: string }> } }>(
    graph.gatewayUrl,
    contacts,
    { token: frank.token },
  );

  expect(cached.headers.get('age')).not.toBeNull();
  expect(after.headers.get('age')).toBeNull();
  expect(after.data?.me.contacts.map((contact) => contact.name).sort()).toEqual(['Grace', 'Heidi']);
});

test('dashboard shows a card update right after it', async () => {
  const ivan = await signUp('ivan.cache@example.com', 'Ivan');
  const contact = await graphql<{ addContact: { id: string } }>(graph.gatewayUrl, addContact, {
    token: ivan.token,
    variables: { input: contactInput('Judy', 'judy@example.com') },
  });
  const created = await graphql<{ createCard: { id: string } }>(
    graph.gatewayUrl,
    'mutation ($input: CreateCardInput!) { createCard(input: $input) { id } }',
    {
      token: ivan.token,
      variables: {
        input: {
          templateId: templateIds[0],
          contactId: contact.data!.addContact.id,
          message: 'First draft.',
        },
      },
    },
  );
  const cardId = created.data!.createCard.id;
  const before = await graphql(graph.gatewayUrl, dashboard, { token: ivan.token });

  const updated = await graphql(
    graph.gatewayUrl,
    'mutation ($input: UpdateCardInput!) { updateCard(input: $input) { id message } }',
    { token: ivan.token, variables: { input: { id: cardId, message: 'Second draft.' } } },
  );
  const after = await graphql<{
    me: { cards: { edges: Array<{ node: { id: string; message: string } }> } };
  }>(graph.gatewayUrl, dashboard, { token: ivan.token });

  expect(before.errors).toBeUndefined();
  expect(before.headers.get('cache-control')).toBe('no-store');
  expect(updated.errors).toBeUndefined();
  expect(after.data?.me.cards.edges.map((edge) => edge.node.message)).toEqual(['Second draft.']);
});

test('requests succeed with the cache Redis stopped', async () => {
  const kate = await signUp('kate.cache@example.com', 'Kate');
  const redisPort = Number(new URL(graph.data.redis.url).port);
  await graph.data.redis.stop();

  const catalogueResult = await graphql(graph.gatewayUrl, catalogue);
  const meResult = await graphql<{ me: { id: string } }>(graph.gatewayUrl, me, {
    token: kate.token,
  });
  const mutationResult = await graphql(graph.gatewayUrl, addContact, {
    token: kate.token,
    variables: { input: contactInput('Liam', 'liam@example.com') },
  });

  expect(catalogueResult.errors).toBeUndefined();
  expect(catalogueResult.headers.get('cache-control')).toBe('max-age=300, public');
  expect(meResult.data?.me.id).toBe(kate.userId);
  expect(mutationResult.errors).toBeUndefined();

  restartedRedis = await startRedis({
    port: redisPort,
    dataDir: join(graph.data.queueRedisDir, '..', 'redis-restarted'),
    role: 'cache',
  });
  // The client reconnects within its retry delay (at most 2 s); the first requests after that
  // fill the cache again.
  let served = false;
  for (let attempt = 0; attempt < 30 && !served; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    await graphql(graph.gatewayUrl, catalogue);
    served = (await graphql(graph.gatewayUrl, catalogue)).headers.get('age') !== null;
  }
  expect(served).toBe(true);
});
