import { join } from 'node:path';
import { findFreePort, spawnManaged } from '@heartfelt/devstack';
import { newUserId, QueueName } from '@heartfelt/kit';
import {
  OpenAiCompatibleProvider,
  parseSuggestions,
} from '../src/providers/openAiCompatibleProvider';
import { MessageProviderError } from '../src/providers/messageProvider';
import type { GenerationInput } from '../src/repository/documents';
import { chatCompletion, FakeChatApi } from './support/fakeChatApi';
import { findRepoRoot, startGraph, type TestGraph } from '@heartfelt/testkit';
import { waitForGeneration } from './support/generations';
import { callAi } from './support/graphql';
import { openQueue } from './support/queues';
import { aiEnv, serverScript } from './support/stack';

const API_KEY = 'test-api-key-123';
const MODEL = 'test-model-1';

const input: GenerationInput = {
  occasion: 'GET_WELL',
  recipientName: 'Sam',
  relationship: 'brother',
  tone: 'POETIC',
  details: 'the broken wrist',
  seed: 9,
};

const threeSuggestions = JSON.stringify({
  suggestions: [
    'Get well soon, Sam.',
    'Sam, may every day mend you a little more.',
    'Rest easy, Sam, and heal fast.',
  ],
});

let fakeApi: FakeChatApi;
let baseUrl: string;

beforeAll(async () => {
  fakeApi = new FakeChatApi();
  baseUrl = await fakeApi.start();
});

afterAll(async () => {
  await fakeApi.close();
});

beforeEach(() => {
  fakeApi.received.length = 0;
  fakeApi.nextReplies = [];
  fakeApi.reply = { status: 200, body: chatCompletion(threeSuggestions) };
});

function provider(timeoutMs?: number) {
  return new OpenAiCompatibleProvider({ baseUrl, apiKey: API_KEY, model: MODEL, timeoutMs });
}

describe('OpenAiCompatibleProvider', () => {
  test('parses three suggestions', async () => {
    const suggestions = await provider().generate(input);
    expect(suggestions).toEqual([
      'Get well soon, Sam.',
      'Sam, may every day mend you a little more.',
      'Rest easy, Sam, and heal fast.',
    ]);
  });

  test('posts to chat completions', async () => {
    await provider().generate(input);
    expect(fakeApi.received).toHaveLength(1);
    expect(fakeApi.received[0]?.method).toBe('POST');
    expect(fakeApi.received[0]?.path).toBe('/v1/chat/completions');
  });

  test('sends the model and bearer key', async () => {
    await provider().generate(input);
    expect(fakeApi.received[0]?.authorization).toBe(`Bearer ${API_KEY}`);
    expect(fakeApi.received[0]?.body.model).toBe(MODEL);
  });

  test('describes the card in the prompt', async () => {
    await provider().generate(input);
    const messages = fakeApi.received[0]?.body.messages as Array<{ role: string; content: string }>;
    const userMessage = messages.find((message) => message.role === 'user')?.content ?? '';
    expect(userMessage).toContain('Sam');
    expect(userMessage).toContain('brother');
    expect(userMessage).toContain('the broken wrist');
    expect(userMessage).toContain('get well');
  });

  test('keeps at most three suggestions', async () => {
    fakeApi.reply.body = chatCompletion('["A.", "B.", "C.", "D."]');
    expect(await provider().generate(input)).toEqual(['A.', 'B.', 'C.']);
  });

  test('rejects an HTTP error with its status', async () => {
    fakeApi.reply = { status: 500, body: { error: { message: 'boom' } } };
    const failure = provider().generate(input);
    await expect(failure).rejects.toThrow(MessageProviderError);
    await expect(failure).rejects.toThrow('returned HTTP 500');
  });

  test('error messages leave out the key', async () => {
    fakeApi.reply = { status: 401, body: { error: { message: 'bad key' } } };
    const error = await provider()
      .generate(input)
      .catch((caught: unknown) => caught);
    expect(String((error as Error).message)).not.toContain(API_KEY);
  });

  test('rejects a reply without suggestions', async () => {
    fakeApi.reply.body = chatCompletion('   ');
    await expect(provider().generate(input)).rejects.toThrow('no suggestions');
  });

  test('times out a slow reply', async () => {
    fakeApi.reply.delayMs = 2000;
    const startedAt = Date.now();
    await expect(provider(200).generate(input)).rejects.toThrow('timed out after 200 ms');
    expect(Date.now() - startedAt).toBeLessThan(1500);
  });

  test('rejects an unreachable API', async () => {
    const closedPort = await findFreePort();
    const unreachable = new OpenAiCompatibleProvider({
      baseUrl: `http://127.0.0.1:${closedPort}`,
      apiKey: API_KEY,
      model: MODEL,
    });
    await expect(unreachable.generate(input)).rejects.toThrow(MessageProviderError);
  });
});

describe('parseSuggestions', () => {
  test('reads a fenced JSON object', () => {
    expect(parseSuggestions('```json\n{"suggestions": ["A.", "B."]}\n```')).toEqual(['A.', 'B.']);
  });

  test('reads a bare JSON array', () => {
    expect(parseSuggestions('["A.", "B.", "C."]')).toEqual(['A.', 'B.', 'C.']);
  });

  test('reads a numbered list', () => {
    expect(parseSuggestions('1. "First one."\n2) Second one.\n\n- Third one.')).toEqual([
      'First one.',
      'Second one.',
      'Third one.',
    ]);
  });

  test('drops non-string items', () => {
    expect(parseSuggestions('{"suggestions": ["A.", 3, null, ""]}')).toEqual(['A.']);
  });
});

describe('ai with AI_PROVIDER=openai', () => {
  let graph: TestGraph | undefined;
  let url: string;

  beforeAll(async () => {
    graph = await startGraph({
      subgraphs: ['ai'],
      gateway: false,
      workers: ['ai'],
      env: {
        AI_PROVIDER: 'openai',
        AI_API_BASE_URL: baseUrl,
        AI_API_KEY: API_KEY,
        AI_MODEL: MODEL,
        AI_GENERATION_ATTEMPTS: '2',
        AI_GENERATION_BACKOFF_MS: '200',
      },
    });
    url = graph.processes.ai!.url;
  }, 120_000);

  afterAll(async () => {
    await graph?.stop();
  });

  const GENERATE = `
    mutation Generate($input: GenerateMessageInput!) {
      generateMessage(input: $input) { id status suggestions }
    }
  `;

  /** Starts a generation as `userId` and returns its id. */
  async function start(userId: string): Promise<string> {
    const response = await callAi<{ generateMessage: { id: string } }>(url, userId, GENERATE, {
      input,
    });
    expect(response.errors).toBeUndefined();
    return response.data!.generateMessage.id;
  }

  test('generation completes with the API suggestions', async () => {
    const userId = newUserId();
    const generation = await waitForGeneration(url, userId, await start(userId));
    expect(generation.status).toBe('COMPLETED');
    expect(generation.suggestions).toEqual([
      'Get well soon, Sam.',
      'Sam, may every day mend you a little more.',
      'Rest easy, Sam, and heal fast.',
    ]);
    expect(fakeApi.received[0]?.authorization).toBe(`Bearer ${API_KEY}`);
    expect(fakeApi.received[0]?.body.model).toBe(MODEL);
  });

  test('retry after an API error completes', async () => {
    fakeApi.nextReplies = [{ status: 503, body: { error: { message: 'overloaded' } } }];
    const userId = newUserId();
    const generation = await waitForGeneration(url, userId, await start(userId));
    expect(generation.status).toBe('COMPLETED');
    expect(generation.attempts).toBe(2);
    expect(fakeApi.received).toHaveLength(2);
  });

  test('failed API on every attempt stores FAILED', async () => {
    fakeApi.reply = { status: 503, body: { error: { message: 'overloaded' } } };
    const userId = newUserId();
    const id = await start(userId);
    const generation = await waitForGeneration(url, userId, id);

    expect(generation.status).toBe('FAILED');
    expect(generation.suggestions).toEqual([]);
    expect(generation.attempts).toBe(2);
    expect(fakeApi.received).toHaveLength(2);
    const stored = await graph!.db
      .collection('generations')
      .findOne({ _id: id as never, ownerId: userId });
    expect(stored?.provider).toBe('openai');
  });

  test('failed generation job is kept as failed', async () => {
    fakeApi.reply = { status: 500, body: {} };
    const userId = newUserId();
    const id = await start(userId);
    await waitForGeneration(url, userId, id);

    const { queue, close } = openQueue(graph!.data.queueRedisUrl, QueueName.Generation);
    try {
      const job = await queue.getJob(`generation.${id}`);
      expect(await job?.getState()).toBe('failed');
      expect(job?.failedReason).toContain('returned HTTP 500');
    } finally {
      await close();
    }
  });

  test.each([
    ['ai', serverScript],
    ['ai-worker', join(findRepoRoot(), 'subgraphs', 'ai', 'dist', 'worker.js')],
  ])(
    '%s start fails without base URL and key',
    async (name, script) => {
      const port = await findFreePort();
      const env = aiEnv(graph!.data, port, { AI_PROVIDER: 'openai' });
      const child = await spawnManaged({
        name: `${name}-misconfigured`,
        command: process.execPath,
        args: [script],
        env: { PATH: process.env.PATH ?? '', ...env },
      });
      const exitCode = await Promise.race([
        child.exited,
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 20_000).unref()),
      ]);
      if (exitCode === 'timeout') await child.stop();

      expect(exitCode).toBe(78);
      expect(child.outputTail()).toContain('AI_API_BASE_URL: is required when AI_PROVIDER=openai');
      expect(child.outputTail()).toContain('AI_API_KEY: is required when AI_PROVIDER=openai');
    },
    30_000,
  );
});
