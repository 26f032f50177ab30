import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  classifyCommand,
  createLogger,
  createMetrics,
  scatterGatherComment,
  watchShardTargeting,
  type ShardTargeting,
} from '@heartfelt/kit';
import { MongoClient } from 'mongodb';
import { findRepoRoot, graphql, startGraph, type TestGraph } from '@heartfelt/testkit';

const root = findRepoRoot();
const operation = (name: string) =>
  readFileSync(join(root, 'schema', 'operations', `${name}.graphql`), 'utf8');

const TEMPLATE_ID = 'tpl_ssssssssssssssssssss';
const USER_ID = 'usr_aaaaaaaaaaaaaaaaaaaa';
const CARD_ID = 'crd_aaaaaaaaaaaaaaaaaaaa_bbbbbbbbbbbb';

describe('classifyCommand', () => {
  const kindOf = (targeting: ShardTargeting) => targeting.kind;
  const cases: Array<[string, string, Record<string, unknown>, ShardTargeting['kind']]> = [
    ['find by equality', 'find', { find: 'cards', filter: { ownerId: USER_ID } }, 'targeted'],
    [
      'find by $in',
      'find',
      { find: 'cards', filter: { ownerId: { $in: [USER_ID] }, _id: CARD_ID } },
      'targeted',
    ],
    ['find by $eq', 'find', { find: 'orders', filter: { ownerId: { $eq: USER_ID } } }, 'targeted'],
    ['find by id alone', 'find', { find: 'cards', filter: { _id: CARD_ID } }, 'untargeted'],
    ['find without filter', 'find', { find: 'contacts' }, 'untargeted'],
    [
      'find by range of the key',
      'find',
      { find: 'cards', filter: { ownerId: { $gt: USER_ID } } },
      'untargeted',
    ],
    [
      'find with $or without the key',
      'find',
      { find: 'cards', filter: { $or: [{ ownerId: USER_ID }, { status: 'SENT' }] } },
      'untargeted',
    ],
    [
      'find with the key in every $or clause',
      'find',
      { find: 'cards', filter: { $or: [{ ownerId: USER_ID }, { ownerId: 'usr_b' }] } },
      'targeted',
    ],
    [
      'find with the key in an $and clause',
      'find',
      { find: 'cards', filter: { $and: [{ status: 'SENT' }, { ownerId: USER_ID }] } },
      'targeted',
    ],
    ['users by _id', 'find', { find: 'users', filter: { _id: USER_ID } }, 'targeted'],
    [
      'insert with the key',
      'insert',
      { insert: 'cards', documents: [{ _id: CARD_ID, ownerId: USER_ID }] },
      'targeted',
    ],
    [
      'insert without the key',
      'insert',
      { insert: 'cards', documents: [{ _id: CARD_ID, ownerId: USER_ID }, { _id: 'crd_x' }] },
      'untargeted',
    ],
    [
      'update with the key in q',
      'update',
      { update: 'orders', updates: [{ q: { _id: 'ord_x', ownerId: USER_ID }, u: { $set: {} } }] },
      'targeted',
    ],
    [
      'update without the key in q',
      'update',
      { update: 'orders', updates: [{ q: { _id: 'ord_x' }, u: { $set: {} } }] },
      'untargeted',
    ],
    [
      'delete without the key',
      'delete',
      { delete: 'emails', deletes: [{ q: { userId: USER_ID }, limit: 1 }] },
      'untargeted',
    ],
    [
      'findAndModify with the key',
      'findAndModify',
      { findAndModify: 'cards', query: { _id: CARD_ID, ownerId: USER_ID } },
      'targeted',
    ],
    ['count without the key', 'count', { count: 'photos', query: {} }, 'untargeted'],
    [
      'aggregate with the key in its first $match',
      'aggregate',
      { aggregate: 'orders', pipeline: [{ $match: { ownerId: USER_ID } }, { $limit: 1 }] },
      'targeted',
    ],
    [
      'aggregate with the key in a later $match',
      'aggregate',
      { aggregate: 'orders', pipeline: [{ $sort: { _id: 1 } }, { $match: { ownerId: USER_ID } }] },
      'untargeted',
    ],
    [
      'marked scatter-gather',
      'find',
      {
        find: 'contacts',
        filter: { birthdayMonthDay: '05-01' },
        comment: scatterGatherComment('birthday-scan'),
      },
      'scatter-gather',
    ],
    ['unsharded collection', 'find', { find: 'templates', filter: {} }, 'unchecked'],
    ['createIndexes', 'createIndexes', { createIndexes: 'cards', indexes: [] }, 'unchecked'],
  ];

  it.each(cases)('classifies %s', (_label, commandName, command, expected) => {
    expect(kindOf(classifyCommand(commandName, command))).toBe(expected);
  });

  it('returns the reason of a scatter-gather command', () => {
    const command = { find: 'contacts', filter: {}, comment: scatterGatherComment('backfill') };
    expect(classifyCommand('find', command)).toEqual({
      kind: 'scatter-gather',
      collection: 'contacts',
      reason: 'backfill',
    });
  });
});

/** Returns the counter samples of `metric` in a Prometheus text exposition, with labels. */
async function readCounter(
  serviceUrl: string,
  metric: string,
): Promise<Array<{ labels: string; value: number }>> {
  const response = await fetch(new URL('/metrics', serviceUrl), {
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const samples: Array<{ labels: string; value: number }> = [];
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${metric}\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (match) samples.push({ labels: match[1]!, value: Number(match[2]) });
  }
  return samples;
}

/** Polls `check` every 200 ms until it returns a value, or fails after `timeoutMs`. */
async function waitFor<T>(
  description: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
}

describe('shard keys through the gateway', () => {
  let graph: TestGraph;
  let outboxDir: string;

  beforeAll(async () => {
    outboxDir = await mkdtemp(join(tmpdir(), 'heartfelt-shard-keys-outbox-'));
    // The entity cache is off so that every read reaches the store and is checked.
    graph = await startGraph({
      workers: ['users', 'cards', 'ai', 'payments'],
      // The birthday scan runs every 2 seconds, so that a reminder is drafted during the test.
      env: {
        ENTITY_CACHE_TTL_SECONDS: '0',
        OUTBOX_DIR: outboxDir,
        BIRTHDAY_SCAN_PATTERN: '*/2 * * * * *',
      },
    });
    await graph.db.collection('templates').insertOne({
      _id: TEMPLATE_ID as never,
      title: 'Sharded',
      occasion: 'BIRTHDAY',
      tags: [],
      artworkUrl: 'https://assets.heartfelt.example/templates/s.png',
      priceCents: 500,
      popularity: 1,
      createdAt: new Date(),
    });
  });

  afterAll(async () => {
    await graph?.stop();
    if (outboxDir) await rm(outboxDir, { recursive: true, force: true });
  });

  /** Sends one operation through the gateway and fails on any GraphQL error. */
  async function send<Data>(
    query: string,
    variables: Record<string, unknown>,
    token?: string,
  ): Promise<Data> {
    const result = await graphql<Data>(graph.gatewayUrl, query, { variables, token });
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  /** Runs the Dashboard, every mutation and the entity reads of the graph as one user. */
  async function runEveryHotPath(): Promise<void> {
    const password = 'correct horse battery';
    const { signUp } = await send<{ signUp: { token: string } }>(operation('SignUp'), {
      input: { email: 'shard@example.com', password, displayName: 'Shard' },
    });
    const { logIn } = await send<{ logIn: { token: string } }>(operation('LogIn'), {
      input: { email: 'Shard@example.com', password },
    });
    expect(typeof signUp.token).toBe('string');
    const token = logIn.token;

    const { addContact } = await send<{ addContact: { id: string } }>(
      operation('AddContact'),
      {
        input: {
          name: 'Bo',
          relationship: 'friend',
          birthday: `1990-${new Date().toISOString().slice(5, 10)}`,
          timeZone: 'Europe/Paris',
          email: 'bo@example.com',
        },
      },
      token,
    );
    const createCard = async () =>
      (
        await send<{ createCard: { id: string } }>(
          operation('CreateCard'),
          { input: { templateId: TEMPLATE_ID, contactId: addContact.id, message: 'Hello, Bo!' } },
          token,
        )
      ).createCard.id;
    const cardId = await createCard();
    await send(
      operation('UpdateCard'),
      { input: { id: cardId, message: 'Happy birthday, Bo! I love you.' } },
      token,
    );

    const { generateMessage } = await send<{ generateMessage: { id: string } }>(
      operation('GenerateMessage'),
      { input: { occasion: 'BIRTHDAY', recipientName: 'Bo', relationship: 'friend', seed: 7 } },
      token,
    );
    await waitFor('the message generation to finish', async () => {
      const data = await send<{ messageGeneration: { status: string } | null }>(
        'query ($id: ID!) { messageGeneration(id: $id) { status } }',
        { id: generateMessage.id },
        token,
      );
      const status = data.messageGeneration?.status;
      return status === 'COMPLETED' || status === 'FAILED' ? status : undefined;
    });

    const checkout = async (id: string, key: string) =>
      (
        await send<{ checkout: { order: { id: string; status: string } } }>(
          operation('Checkout'),
          { input: { cardId: id, paymentToken: 'tok_ok', idempotencyKey: key } },
          token,
        )
      ).checkout.order;
    const order = await checkout(cardId, 'shard-keys-checkout-1');
    expect(order.status).toBe('PAID');

    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    await send(operation('ScheduleCard'), { id: cardId, sendAt: tomorrow }, token);
    await send('mutation ($id: ID!) { cancelCard(id: $id) { id status } }', { id: cardId }, token);

    // A second card is delivered by the cards worker, then opened on its public page.
    const sentCardId = await createCard();
    await checkout(sentCardId, 'shard-keys-checkout-2');
    const soon = new Date(Date.now() + 1_500).toISOString();
    await send(operation('ScheduleCard'), { id: sentCardId, sendAt: soon }, token);
    await waitFor('the card to be sent', async () => {
      const data = await send<{ card: { status: string } | null }>(
        'query ($id: ID!) { card(id: $id) { status } }',
        { id: sentCardId },
        token,
      );
      return data.card?.status === 'SENT' ? true : undefined;
    });
    const sentCard = await graph.db
      .collection<{ _id: string; publicToken?: string }>('cards')
      .findOne({ _id: sentCardId });
    const page = await fetch(
      new URL(`/c/${encodeURIComponent(sentCard!.publicToken!)}`, graph.gatewayUrl),
      { signal: AbortSignal.timeout(10_000) },
    );
    expect(page.status).toBe(200);

    await waitFor('the birthday reminder to be drafted', async () => {
      const data = await send<{ me: { reminders: unknown[] } }>(
        '{ me { reminders { date contact { name } } } }',
        {},
        token,
      );
      return data.me.reminders.length > 0 ? true : undefined;
    });
    await send(operation('Dashboard'), {}, token);
    // Entity reads across subgraphs: Card.order, Card.recipient, Card.owner and User fields.
    await send(
      `query ($id: ID!) {
        card(id: $id) { recipient { name } owner { displayName } order { status } photos { id } }
        me { contacts { id } orders(first: 5) { edges { node { id } } } }
      }`,
      { id: cardId },
      token,
    );
    await send(
      'mutation ($id: ID!) { refundOrder(id: $id, idempotencyKey: "shard-keys-refund-1") { order { status } } }',
      { id: order.id },
      token,
    );
    await send(
      'query ($id: ID!) { order(id: $id) { status card { id message } } }',
      { id: order.id },
      token,
    );
  }

  it('sends no command without its shard key on the hot paths', async () => {
    await runEveryHotPath();

    const services = Object.entries(graph.processes).filter(([name]) => name !== 'gateway');
    const untargeted: string[] = [];
    for (const [name, service] of services) {
      const samples = await readCounter(service!.url, 'heartfelt_store_untargeted_commands_total');
      for (const sample of samples) {
        if (sample.value > 0) untargeted.push(`${name}: ${sample.labels} = ${sample.value}`);
      }
    }
    expect(untargeted).toEqual([]);
  });

  it('exposes the untargeted command counter on every subgraph and worker', async () => {
    const services = Object.entries(graph.processes).filter(([name]) => name !== 'gateway');
    expect(services).toHaveLength(9);
    for (const [name, service] of services) {
      const text = await (await fetch(new URL('/metrics', service!.url))).text();
      const exposed = text.includes('# TYPE heartfelt_store_untargeted_commands_total counter');
      expect({ name, exposed }).toEqual({ name, exposed: true });
    }
  });

  it('counts a getMore as the find that opened its cursor', async () => {
    const metrics = createMetrics('shard-keys-test');
    const client = new MongoClient(graph.data.mongoUrl, { monitorCommands: true });
    watchShardTargeting(client, {
      dbName: graph.data.dbName,
      logger: createLogger('shard-keys-test', 'silent'),
      metrics,
    });
    try {
      const payments = client.db(graph.data.dbName).collection('payment_events');
      const ownerId = 'usr_cccccccccccccccccccc';
      await payments.insertMany(
        Array.from({ length: 5 }, (_unused, index) => ({ ownerId, recordedAt: index })),
      );
      await payments.find({ ownerId }, { batchSize: 2 }).toArray();
      await payments.find({ recordedAt: { $gte: 0 } }, { batchSize: 2 }).toArray();

      const untargeted = await metrics.untargetedStoreCommands.get();
      const count = (command: string) =>
        untargeted.values.find((sample) => sample.labels.command === command)?.value ?? 0;
      expect(count('insert')).toBe(0);
      expect(count('find')).toBe(1);
      // Five documents in batches of two: the untargeted find's cursor needs two getMore.
      expect(count('getMore')).toBe(2);
    } finally {
      await client.close();
    }
  });

  it('counts the birthday scan as scatter-gather', async () => {
    const samples = await readCounter(
      graph.processes['users-worker']!.url,
      'heartfelt_store_scatter_gather_commands_total',
    );
    const scan = samples.find(
      (sample) =>
        sample.labels.includes('collection="contacts"') &&
        sample.labels.includes('reason="birthday-scan"'),
    );
    expect(scan?.value).toBeGreaterThan(0);
  });
});
