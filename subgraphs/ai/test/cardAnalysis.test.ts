import { createHash } from 'node:crypto';
import type { ListeningProcess } from '@heartfelt/devstack';
import { newOwnedId, newUserId } from '@heartfelt/kit';
import Redis from 'ioredis';
import { startDataServices, storeCommandCount, type DataServices } from '@heartfelt/testkit';
import { callAi, firstErrorCode } from './support/graphql';
import { startAi } from './support/stack';

interface CardAnalysis {
  id: string;
  sentiment: { label: string; score: number };
  musicSuggestions: Array<{ title: string; artist: string; mood: string }>;
}

const CARD_ENTITIES = `
  query Cards($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Card { id sentiment { label score } musicSuggestions { title artist mood } }
    }
  }
`;

const LOVE_MESSAGE = 'I love you so much, happy birthday!';
const SORRY_MESSAGE = 'I am so sorry for your loss';

let data: DataServices | undefined;
let ai: ListeningProcess | undefined;
let redis: Redis | undefined;
let url: string;
const userId = newUserId();

beforeAll(async () => {
  data = await startDataServices();
  ai = await startAi(data);
  url = ai.url;
  redis = new Redis(data.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
}, 120_000);

afterAll(async () => {
  redis?.disconnect();
  await ai?.stop();
  await data?.stop();
});

function card(message: string | undefined) {
  const representation: Record<string, string> = {
    __typename: 'Card',
    id: newOwnedId('card', userId),
  };
  if (message !== undefined) representation.message = message;
  return representation;
}

async function analyze(messages: Array<string | undefined>) {
  return callAi<{ _entities: CardAnalysis[] }>(url, userId, CARD_ENTITIES, {
    representations: messages.map(card),
  });
}

async function analyzeOne(message: string): Promise<CardAnalysis> {
  const response = await analyze([message]);
  expect(response.errors).toBeUndefined();
  return response.data!._entities[0]!;
}

/** Returns how many MGET commands the test Redis has served. */
async function mgetCalls(): Promise<number> {
  const stats = await redis!.info('commandstats');
  const match = /cmdstat_mget:calls=(\d+)/.exec(stats);
  return match ? Number(match[1]) : 0;
}

describe('Card sentiment', () => {
  test('love message is positive', async () => {
    const analysis = await analyzeOne(LOVE_MESSAGE);
    expect(analysis.sentiment.label).toBe('POSITIVE');
    expect(analysis.sentiment.score).toBeGreaterThan(0);
    expect(analysis.sentiment.score).toBeLessThanOrEqual(1);
  });

  test('condolence message is not positive', async () => {
    const analysis = await analyzeOne(SORRY_MESSAGE);
    expect(['NEGATIVE', 'NEUTRAL']).toContain(analysis.sentiment.label);
    expect(analysis.sentiment.score).toBeLessThanOrEqual(0);
    expect(analysis.sentiment.score).toBeGreaterThanOrEqual(-1);
  });

  test('message without scored words is neutral', async () => {
    const analysis = await analyzeOne('See you on Tuesday at the station');
    expect(analysis.sentiment).toEqual({ label: 'NEUTRAL', score: 0 });
  });

  test('keeps the representation id', async () => {
    const representation = card(LOVE_MESSAGE);
    const response = await callAi<{ _entities: CardAnalysis[] }>(url, userId, CARD_ENTITIES, {
      representations: [representation],
    });
    expect(response.data?._entities[0]?.id).toBe(representation.id);
  });

  test('missing message is bad input', async () => {
    const response = await analyze([undefined]);
    expect(firstErrorCode(response)).toBe('BAD_USER_INPUT');
  });
});

describe('Card musicSuggestions', () => {
  test('condolence message gets comforting music', async () => {
    const analysis = await analyzeOne(SORRY_MESSAGE);
    expect(analysis.musicSuggestions).toHaveLength(3);
    for (const suggestion of analysis.musicSuggestions) expect(suggestion.mood).toBe('comforting');
  });

  test('love message gets romantic or tender music', async () => {
    const analysis = await analyzeOne(LOVE_MESSAGE);
    const moods = analysis.musicSuggestions.map((suggestion) => suggestion.mood);
    expect(moods.filter((mood) => mood === 'romantic' || mood === 'tender').length).toBeGreaterThan(
      0,
    );
  });

  test('birthday message includes Happy Birthday', async () => {
    const analysis = await analyzeOne(LOVE_MESSAGE);
    const titles = analysis.musicSuggestions.map((suggestion) => suggestion.title);
    expect(titles).toContain('Happy Birthday to You');
  });

  test('strongly positive message gets joyful or upbeat music', async () => {
    const analysis = await analyzeOne('Thank you for the lovely dinner');
    for (const suggestion of analysis.musicSuggestions) {
      expect(['joyful', 'upbeat']).toContain(suggestion.mood);
    }
  });

  test('same message gets the same music', async () => {
    const first = await analyzeOne('What a wonderful year it has been');
    const second = await analyzeOne('What a wonderful year it has been');
    expect(second.musicSuggestions).toEqual(first.musicSuggestions);
  });
});

describe('Card analysis cache', () => {
  test('stores the analysis under the message hash', async () => {
    const message = `Cached message ${Date.now()}, have a great day`;
    await analyzeOne(message);
    const hash = createHash('sha256').update(message).digest('hex');
    const cached = await redis!.get(`hf:v1:message-analysis:1:${hash}`);
    expect(cached).not.toBeNull();
    expect(JSON.parse(cached!).sentiment.label).toBe('POSITIVE');
  });

  test('1000 cards take no store query and one MGET', async () => {
    const messages = Array.from({ length: 1000 }, (_, index) =>
      index % 2 === 0 ? `Happy birthday number ${index}!` : `Thinking of you, card ${index}`,
    );
    const commandsBefore = await storeCommandCount(url);
    const mgetsBefore = await mgetCalls();

    const response = await analyze(messages);

    expect(response.errors).toBeUndefined();
    expect(response.data?._entities).toHaveLength(1000);
    expect(await storeCommandCount(url)).toBe(commandsBefore);
    expect((await mgetCalls()) - mgetsBefore).toBe(1);
  });

  test('cached and computed results agree', async () => {
    const message = `Congratulations on the new house ${Date.now()}`;
    const computed = await analyzeOne(message);
    const cached = await analyzeOne(message);
    expect(cached.sentiment).toEqual(computed.sentiment);
    expect(cached.musicSuggestions).toEqual(computed.musicSuggestions);
  });

  // Runs last: it stops Redis for the rest of this file.
  test('Redis outage falls back to computing', async () => {
    await redis!.quit();
    redis = undefined;
    await data!.redis.stop();
    const analysis = await analyzeOne(LOVE_MESSAGE);
    expect(analysis.sentiment.label).toBe('POSITIVE');
    expect(analysis.musicSuggestions).toHaveLength(3);
  });
});
