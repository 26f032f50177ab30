import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, startRedis, type ListeningProcess } from '@heartfelt/devstack';
import { createCacheRedis, type Redis } from '../src/redis';
import { createLogger } from '../src/logger';
import { createMetrics } from '../src/metrics';
import { EntityCache } from '../src/entityCache';

interface Note {
  _id: string;
  text: string;
}

let redisServer: ListeningProcess;
let redis: Redis;
let dataDir: string;
let testIndex = 0;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hf-entity-cache-'));
  const port = await findFreePort();
  redisServer = await startRedis({ port, dataDir, role: 'cache' });
  redis = createCacheRedis(redisServer.url, createLogger('entity-cache-test', 'silent'));
  await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
});

afterAll(async () => {
  redis?.disconnect();
  await redisServer?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A store stand-in that records its calls and resolves each only when the test releases it. */
function controlledStore() {
  const calls: Array<{ ids: readonly string[]; resolve: (notes: Note[]) => void }> = [];
  const load = (ids: readonly string[]) =>
    new Promise<Note[]>((resolve) => {
      calls.push({ ids, resolve });
    });
  return { calls, load };
}

/** Waits until the pending promises and Redis replies queued so far have run. */
async function settle(): Promise<void> {
  await redis.ping();
  await new Promise((resolve) => setImmediate(resolve));
}

/** A fresh cache and entity name per test, so that no test reads another's keys. */
function newCache(ttlSeconds = 60): { cache: EntityCache; entity: string } {
  testIndex += 1;
  const cache = new EntityCache(redis, createMetrics(`test${testIndex}`), ttlSeconds);
  return { cache, entity: `note${testIndex}` };
}

const idOf = (note: Note) => note._id;

describe('EntityCache.readThrough', () => {
  it('serves a second read from Redis', async () => {
    const { cache, entity } = newCache();
    let loads = 0;
    const load = async (ids: readonly string[]) => {
      loads += 1;
      return ids.map((id) => ({ _id: id, text: 'stored' }));
    };
    await cache.readThrough(entity, ['a'], { load, idOf });
    const second = await cache.readThrough(entity, ['a'], { load, idOf });
    expect(second).toEqual([{ _id: 'a', text: 'stored' }]);
    expect(loads).toBe(1);
  });

  it('returns null for missing ids in key order', async () => {
    const { cache, entity } = newCache();
    const load = async () => [{ _id: 'b', text: 'only b' }];
    const result = await cache.readThrough(entity, ['a', 'b'], { load, idOf });
    expect(result).toEqual([null, { _id: 'b', text: 'only b' }]);
  });

  it('shares one store read between concurrent misses', async () => {
    const { cache, entity } = newCache();
    const store = controlledStore();
    const reads = Array.from({ length: 20 }, () =>
      cache.readThrough(entity, ['a'], { load: store.load, idOf }),
    );
    await settle();
    expect(store.calls).toHaveLength(1);
    store.calls[0]!.resolve([{ _id: 'a', text: 'stored' }]);
    const results = await Promise.all(reads);
    expect(results.every((result) => result[0]?.text === 'stored')).toBe(true);
  });

  it('loads only ids not already in flight', async () => {
    const { cache, entity } = newCache();
    const store = controlledStore();
    const first = cache.readThrough(entity, ['a'], { load: store.load, idOf });
    await settle();
    const second = cache.readThrough(entity, ['a', 'b'], { load: store.load, idOf });
    await settle();
    expect(store.calls.map((call) => call.ids)).toEqual([['a'], ['b']]);
    store.calls[0]!.resolve([{ _id: 'a', text: 'a' }]);
    store.calls[1]!.resolve([{ _id: 'b', text: 'b' }]);
    await first;
    expect(await second).toEqual([
      { _id: 'a', text: 'a' },
      { _id: 'b', text: 'b' },
    ]);
  });

  it('rejects every joined read when the load fails', async () => {
    const { cache, entity } = newCache();
    const load = async (): Promise<Note[]> => {
      throw new Error('store down');
    };
    const reads = [1, 2].map(() => cache.readThrough(entity, ['a'], { load, idOf }));
    const outcomes = await Promise.allSettled(reads);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
  });

  it('skips documents that shouldCache rejects', async () => {
    const { cache, entity } = newCache();
    const load = async () => [{ _id: 'a', text: 'pending' }];
    await cache.readThrough(entity, ['a'], { load, idOf, shouldCache: () => false });
    expect(await redis.get(`hf:v1:${entity}:a`)).toBeNull();
  });

  it('reads the store every time when the TTL is 0', async () => {
    const { cache, entity } = newCache(0);
    let loads = 0;
    const load = async (ids: readonly string[]) => {
      loads += 1;
      return ids.map((id) => ({ _id: id, text: 'stored' }));
    };
    await cache.readThrough(entity, ['a'], { load, idOf });
    await cache.readThrough(entity, ['a'], { load, idOf });
    expect(loads).toBe(2);
  });
});

describe('EntityCache.invalidate', () => {
  it('removes the cached entry', async () => {
    const { cache, entity } = newCache();
    const load = async () => [{ _id: 'a', text: 'old' }];
    await cache.readThrough(entity, ['a'], { load, idOf });
    await cache.invalidate(entity, ['a']);
    expect(await redis.get(`hf:v1:${entity}:a`)).toBeNull();
  });

  it('keeps a read started before it from writing back', async () => {
    const { cache, entity } = newCache();
    const store = controlledStore();
    const staleRead = cache.readThrough(entity, ['a'], { load: store.load, idOf });
    await settle();
    await cache.invalidate(entity, ['a']);
    store.calls[0]!.resolve([{ _id: 'a', text: 'old' }]);
    await staleRead;
    expect(await redis.get(`hf:v1:${entity}:a`)).toBeNull();
  });

  it('lets reads after it write back again', async () => {
    const { cache, entity } = newCache();
    await cache.invalidate(entity, ['a']);
    const load = async () => [{ _id: 'a', text: 'new' }];
    await cache.readThrough(entity, ['a'], { load, idOf });
    expect(await redis.get(`hf:v1:${entity}:a`)).toContain('new');
  });

  it('stops later reads from joining a load in flight', async () => {
    const { cache, entity } = newCache();
    const store = controlledStore();
    const staleRead = cache.readThrough(entity, ['a'], { load: store.load, idOf });
    await settle();
    await cache.invalidate(entity, ['a']);
    const freshRead = cache.readThrough(entity, ['a'], { load: store.load, idOf });
    await settle();
    expect(store.calls).toHaveLength(2);
    store.calls[0]!.resolve([{ _id: 'a', text: 'old' }]);
    store.calls[1]!.resolve([{ _id: 'a', text: 'new' }]);
    await staleRead;
    expect((await freshRead)[0]?.text).toBe('new');
  });
});

describe('EntityCache without Redis', () => {
  it('reads the store when Redis is unreachable', async () => {
    const port = await findFreePort();
    const offline = createCacheRedis(
      `redis://127.0.0.1:${port}`,
      createLogger('entity-cache-test', 'silent'),
    );
    const cache = new EntityCache(offline, createMetrics('offline'), 60);
    const load = async () => [{ _id: 'a', text: 'stored' }];
    try {
      const result = await cache.readThrough('note', ['a'], { load, idOf });
      expect(result).toEqual([{ _id: 'a', text: 'stored' }]);
    } finally {
      offline.disconnect();
    }
  });
});
