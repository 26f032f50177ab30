import { startRedis } from '@heartfelt/devstack';
import { newUserId, QueueName } from '@heartfelt/kit';
import { startGraph, storeCommandCount, type TestGraph } from '@heartfelt/testkit';
import { callAi, firstErrorCode } from './support/graphql';
import { GENERATION_FIELDS, waitForGeneration, type Generation } from './support/generations';
import { openQueue } from './support/queues';
import { waitFor } from './support/waitFor';

const GENERATE = `
  mutation Generate($input: GenerateMessageInput!) {
    generateMessage(input: $input) { ${GENERATION_FIELDS} }
  }
`;

const READ = `
  query Read($id: ID!) {
    messageGeneration(id: $id) { ${GENERATION_FIELDS} }
  }
`;

const ENTITIES = `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on MessageGeneration { id status suggestions }
    }
  }
`;

const baseInput = {
  occasion: 'BIRTHDAY',
  recipientName: 'Maya',
  relationship: 'friend',
  tone: 'WARM',
  seed: 42,
};

let graph: TestGraph | undefined;
let url: string;

beforeAll(async () => {
  graph = await startGraph({ subgraphs: ['ai'], gateway: false, workers: ['ai'] });
  url = graph.processes.ai!.url;
}, 120_000);

afterAll(async () => {
  await graph?.stop();
});

async function generate(userId: string | null, input: Record<string, unknown>) {
  return callAi<{ generateMessage: Generation }>(url, userId, GENERATE, { input });
}

/** Starts a generation and returns it as first returned, PENDING. */
async function startOk(userId: string, input: Record<string, unknown>): Promise<Generation> {
  const response = await generate(userId, input);
  expect(response.errors).toBeUndefined();
  return response.data!.generateMessage;
}

/** Starts a generation and returns it once ai-worker has finished it. */
async function generateOk(userId: string, input: Record<string, unknown>): Promise<Generation> {
  const started = await startOk(userId, input);
  return waitForGeneration(url, userId, started.id);
}

function storedGenerationsOf(userId: string): Promise<number> {
  return graph!.db.collection('generations').countDocuments({ ownerId: userId });
}

describe('generateMessage', () => {
  test('returns a PENDING generation at once', async () => {
    const generation = await startOk(newUserId(), baseInput);
    expect(generation.status).toBe('PENDING');
    expect(generation.suggestions).toEqual([]);
    expect(generation.attempts).toBe(0);
    expect(generation.id).toMatch(/^gen_/);
  });

  test('completes with three suggestions', async () => {
    const generation = await generateOk(newUserId(), baseInput);
    expect(generation.status).toBe('COMPLETED');
    expect(generation.suggestions).toHaveLength(3);
    expect(new Set(generation.suggestions).size).toBe(3);
    expect(generation.attempts).toBe(1);
  });

  test('names the recipient in every suggestion', async () => {
    const generation = await generateOk(newUserId(), baseInput);
    for (const suggestion of generation.suggestions) expect(suggestion).toContain('Maya');
  });

  test('same input and seed give the same suggestions', async () => {
    const first = await generateOk(newUserId(), baseInput);
    const second = await generateOk(newUserId(), baseInput);
    expect(second.suggestions).toEqual(first.suggestions);
    expect(second.id).not.toBe(first.id);
  });

  test('omitted seed still completes', async () => {
    // JSON leaves out undefined properties, so the request has no seed.
    const generation = await generateOk(newUserId(), { ...baseInput, seed: undefined });
    expect(generation.suggestions).toHaveLength(3);
  });

  test('different tone changes every suggestion', async () => {
    const userId = newUserId();
    const warm = await generateOk(userId, baseInput);
    const funny = await generateOk(userId, { ...baseInput, tone: 'FUNNY' });
    for (const suggestion of funny.suggestions) expect(warm.suggestions).not.toContain(suggestion);
  });

  test('different relationship changes every suggestion', async () => {
    const userId = newUserId();
    const friend = await generateOk(userId, baseInput);
    const grandmother = await generateOk(userId, { ...baseInput, relationship: 'grandmother' });
    for (const suggestion of grandmother.suggestions) {
      expect(friend.suggestions).not.toContain(suggestion);
    }
    expect(grandmother.suggestions.join(' ')).not.toEqual(friend.suggestions.join(' '));
  });

  test('weaves the details in', async () => {
    const generation = await generateOk(newUserId(), {
      ...baseInput,
      details: 'Your new job at the bakery',
    });
    const withDetail = generation.suggestions.filter((s) => /your new job at the bakery/i.test(s));
    expect(withDetail.length).toBeGreaterThan(0);
  });

  test('empty details count as none', async () => {
    const userId = newUserId();
    const withEmpty = await generateOk(userId, { ...baseInput, details: '   ' });
    const without = await generateOk(userId, baseInput);
    expect(withEmpty.suggestions).toEqual(without.suggestions);
  });

  test('rejects an anonymous caller', async () => {
    const response = await generate(null, baseInput);
    expect(firstErrorCode(response)).toBe('UNAUTHENTICATED');
  });

  test('rejects an empty recipientName and stores nothing', async () => {
    const userId = newUserId();
    const response = await generate(userId, { ...baseInput, recipientName: '  ' });
    expect(firstErrorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.extensions?.field).toBe('recipientName');
    expect(await storedGenerationsOf(userId)).toBe(0);
  });

  test('rejects 600-character details and stores nothing', async () => {
    const userId = newUserId();
    const response = await generate(userId, { ...baseInput, details: 'x'.repeat(600) });
    expect(firstErrorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.extensions?.field).toBe('details');
    expect(await storedGenerationsOf(userId)).toBe(0);
  });

  test('rejects a 41-character relationship', async () => {
    const response = await generate(newUserId(), { ...baseInput, relationship: 'r'.repeat(41) });
    expect(firstErrorCode(response)).toBe('BAD_USER_INPUT');
  });

  test('unknown occasion literal fails validation', async () => {
    const response = await callAi(
      url,
      newUserId(),
      `
        mutation {
          generateMessage(
            input: { occasion: PARTY, recipientName: "Maya", relationship: "friend" }
          ) {
            id
          }
        }
      `,
    );
    expect(firstErrorCode(response)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.status).toBe(400);
  });

  test('unknown occasion variable is bad input', async () => {
    const response = await generate(newUserId(), { ...baseInput, occasion: 'PARTY' });
    expect(firstErrorCode(response)).toBe('BAD_USER_INPUT');
  });

  test('stores the generation with its normalized input', async () => {
    const userId = newUserId();
    const generation = await generateOk(userId, {
      ...baseInput,
      recipientName: '  Maya   Lopez ',
      details: '',
    });
    const stored = await graph!.db
      .collection('generations')
      .findOne({ _id: generation.id as never, ownerId: userId });
    expect(stored?.input).toEqual({
      occasion: 'BIRTHDAY',
      recipientName: 'Maya Lopez',
      relationship: 'friend',
      tone: 'WARM',
      details: null,
      seed: 42,
    });
    expect(stored?.provider).toBe('local');
    expect(stored?.completedAt).toBeInstanceOf(Date);
  });

  test('queues one job per generation', async () => {
    const generation = await startOk(newUserId(), baseInput);
    const { queue, close } = openQueue(graph!.data.queueRedisUrl, QueueName.Generation);
    try {
      const job = await queue.getJob(`generation.${generation.id}`);
      expect(job?.data).toEqual({ generationId: generation.id });
      expect(job?.opts.attempts).toBe(3);
    } finally {
      await close();
    }
  });

  test('repeated job leaves a completed generation unchanged', async () => {
    const userId = newUserId();
    const generation = await generateOk(userId, baseInput);
    const before = await graph!.db
      .collection('generations')
      .findOne({ _id: generation.id as never, ownerId: userId });

    const { queue, close } = openQueue(graph!.data.queueRedisUrl, QueueName.Generation);
    try {
      const rerun = await queue.add(
        'generate-message',
        { generationId: generation.id },
        { jobId: `rerun.${generation.id}` },
      );
      await waitFor(
        'the repeated job to finish',
        () => queue.getJobState(rerun.id!),
        (state) => state === 'completed' || state === 'failed',
      );
      expect(await queue.getJobState(rerun.id!)).toBe('completed');
    } finally {
      await close();
    }
    const after = await graph!.db
      .collection('generations')
      .findOne({ _id: generation.id as never, ownerId: userId });
    expect(after).toEqual(before);
  });
});

describe('messageGeneration', () => {
  test("returns the caller's own generation", async () => {
    const userId = newUserId();
    const started = await startOk(userId, baseInput);
    const completed = await waitForGeneration(url, userId, started.id);
    const response = await callAi<{ messageGeneration: Generation }>(url, userId, READ, {
      id: started.id,
    });
    expect(response.data?.messageGeneration).toEqual(completed);
    expect(completed.createdAt).toBe(started.createdAt);
  });

  test("returns null for another user's generation", async () => {
    const created = await startOk(newUserId(), baseInput);
    const response = await callAi(url, newUserId(), READ, { id: created.id });
    expect(response.errors).toBeUndefined();
    expect(response.data?.messageGeneration).toBeNull();
  });

  test('returns null for a malformed id', async () => {
    const response = await callAi(url, newUserId(), READ, { id: 'gen_not-an-id' });
    expect(response.errors).toBeUndefined();
    expect(response.data?.messageGeneration).toBeNull();
  });

  test('rejects an anonymous caller', async () => {
    const created = await startOk(newUserId(), baseInput);
    const response = await callAi(url, null, READ, { id: created.id });
    expect(firstErrorCode(response)).toBe('UNAUTHENTICATED');
  });
});

describe('MessageGeneration entities', () => {
  test('resolve for their owner', async () => {
    const userId = newUserId();
    const created = await generateOk(userId, baseInput);
    const response = await callAi<{ _entities: Array<Generation | null> }>(url, userId, ENTITIES, {
      representations: [{ __typename: 'MessageGeneration', id: created.id }],
    });
    expect(response.data?._entities[0]?.suggestions).toEqual(created.suggestions);
  });

  test('are null for another user', async () => {
    const created = await generateOk(newUserId(), baseInput);
    const response = await callAi<{ _entities: Array<Generation | null> }>(
      url,
      newUserId(),
      ENTITIES,
      { representations: [{ __typename: 'MessageGeneration', id: created.id }] },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities).toEqual([null]);
  });

  test('are null for an anonymous caller', async () => {
    const created = await generateOk(newUserId(), baseInput);
    const response = await callAi<{ _entities: Array<Generation | null> }>(url, null, ENTITIES, {
      representations: [{ __typename: 'MessageGeneration', id: created.id }],
    });
    expect(response.data?._entities).toEqual([null]);
  });

  test('load a batch with one store query', async () => {
    const userId = newUserId();
    // Started but never read through the graph, so no generation is in the entity cache.
    const created: Generation[] = [];
    for (const seed of [1, 2, 3, 4]) created.push(await startOk(userId, { ...baseInput, seed }));
    const foreign = await startOk(newUserId(), baseInput);
    const ids = [...created, foreign].map(({ id }) => id);
    await waitFor(
      'the five generations to complete',
      () =>
        graph!.db.collection('generations').countDocuments({
          _id: { $in: ids as never[] },
          status: 'COMPLETED',
        }),
      (count) => count === ids.length,
    );

    const findsBefore = await storeCommandCount(url, {
      collection: 'generations',
      command: 'find',
    });
    const response = await callAi<{ _entities: Array<Generation | null> }>(url, userId, ENTITIES, {
      representations: [...created, foreign].map(({ id }) => ({
        __typename: 'MessageGeneration',
        id,
      })),
    });
    const findsAfter = await storeCommandCount(url, { collection: 'generations', command: 'find' });

    expect(response.data?._entities.map((entity) => entity?.id ?? null)).toEqual([
      ...created.map(({ id }) => id),
      null,
    ]);
    expect(findsAfter - findsBefore).toBe(1);
  });
});

describe('generateMessage without the queue Redis', () => {
  afterAll(async () => {
    // Bring the queue Redis back on its port and data, so that stopping the graph stops it.
    const port = Number(new URL(graph!.data.queueRedisUrl).port);
    graph!.data.queueRedis = await startRedis({
      port,
      dataDir: graph!.data.queueRedisDir,
      role: 'queue',
    });
  }, 60_000);

  test('fails with DEPENDENCY_FAILED and stores FAILED', async () => {
    await graph!.data.queueRedis.stop();
    const userId = newUserId();

    const startedAt = Date.now();
    const response = await generate(userId, baseInput);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(firstErrorCode(response)).toBe('DEPENDENCY_FAILED');

    const generationId = response.errors?.[0]?.extensions?.generationId;
    expect(generationId).toMatch(/^gen_/);
    const stored = await graph!.db
      .collection('generations')
      .findOne({ _id: generationId as never, ownerId: userId });
    expect(stored?.status).toBe('FAILED');
    expect(await storedGenerationsOf(userId)).toBe(1);
  }, 30_000);
});
