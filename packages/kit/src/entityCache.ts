import { trace } from '@opentelemetry/api';
import { BSON } from 'mongodb';
import { countCacheLookups } from './explain';
import type { Redis } from './redis';
import type { ServiceMetrics } from './metrics';
import { SpanAttribute } from './telemetry/tracer';

/**
 * Lifetime in seconds of the version key that `invalidate` bumps. A write-back compares the
 * version it read before the store query with the current one, so the version key must outlive
 * the slowest read: store query plus write-back.
 * NOTE: a read slower than this, or a version key evicted by `allkeys-lru`, can still write back
 * a stale value, which then lives until the entry's TTL ends.
 */
const VERSION_TTL_SECONDS = 300;

/**
 * Lua script that writes entries back only where the version key still has the value that the
 * read saw (an empty string for a missing key). KEYS = entry1, version1, entry2, version2, ...;
 * ARGV = ttlSeconds, then value1, seenVersion1, value2, seenVersion2, ... Returns the number of
 * entries written.
 */
const SET_IF_VERSION_UNCHANGED = `
local written = 0
for i = 1, #KEYS, 2 do
  local current = redis.call('GET', KEYS[i + 1]) or ''
  if current == ARGV[i + 2] then
    redis.call('SET', KEYS[i], ARGV[i + 1], 'EX', ARGV[1])
    written = written + 1
  end
end
return written
`;

/** Entries found in the cache and the version of every requested key, read in one MGET. */
export interface CacheRead<T> {
  found: Map<string, T>;
  /** Version per id as stored under `<key>:v`, `''` when never invalidated. */
  versions: Map<string, string>;
}

/** Options of {@link EntityCache.readThrough}. */
export interface ReadThroughOptions<T> {
  /** Loads the documents for the given ids from the store with one query. */
  load: (ids: readonly string[]) => Promise<T[]>;
  /** Returns a loaded document's id. */
  idOf: (document: T) => string;
  /** Returns false for documents that must not be cached. Default: cache every document. */
  shouldCache?: (document: T) => boolean;
}

type SetIfVersionUnchanged = (keyCount: number, ...args: Array<string | number>) => Promise<number>;

/**
 * Read-through Redis cache of stored documents, one key per entity: `hf:v1:<entity>:<id>`.
 * Values are Extended JSON so that dates and other BSON types survive the round trip. Every Redis failure is treated as a miss, so a Redis outage costs store reads but fails no read.
 *
 * Two guarantees beyond a plain read-through cache:
 * - Concurrent misses on the same id in this process share one store read (single-flight).
 * - A read that started before an `invalidate` of its id does not write its older value back:
 *   `invalidate` bumps a version key, and the write-back is a Lua script that skips entries
 *   whose version changed since the read.
 */
export class EntityCache {
  /** Store reads in progress, by `<entity>:<id>`, that later reads of the same id join. */
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly redis: Redis | null,
    private readonly metrics: ServiceMetrics,
    /** Entry lifetime in seconds; 0 disables the cache, single-flight included. */
    private readonly ttlSeconds: number,
  ) {
    redis?.defineCommand('hfSetIfVersionUnchanged', { lua: SET_IF_VERSION_UNCHANGED });
  }

  private key(entity: string, id: string): string {
    return `hf:v1:${entity}:${id}`;
  }

  private versionKey(entity: string, id: string): string {
    return `hf:v1:${entity}:${id}:v`;
  }

  private get configured(): boolean {
    return this.redis !== null && this.ttlSeconds > 0;
  }

  private get enabled(): boolean {
    return this.configured && this.redis!.status === 'ready';
  }

  /**
   * Returns the documents for `ids` in key order, null for missing ones: cache hits from one
   * MGET, the misses from one `load` call, then one conditional write-back. Ids that another
   * call of this process is already loading join that load instead of reading the store again.
   */
  async readThrough<T>(
    entity: string,
    ids: readonly string[],
    options: ReadThroughOptions<T>,
  ): Promise<Array<T | null>> {
    if (!this.configured) {
      const loaded = await options.load(ids);
      const byId = new Map(loaded.map((document) => [options.idOf(document), document]));
      return ids.map((id) => byId.get(id) ?? null);
    }

    // Join loads in progress; start one shared load for the remaining ids.
    const pending = new Map<string, Promise<unknown>>();
    const own: string[] = [];
    for (const id of new Set(ids)) {
      const joined = this.inFlight.get(`${entity}:${id}`);
      if (joined) pending.set(id, joined);
      else own.push(id);
    }
    if (own.length > 0) {
      const batch = this.readBatch(entity, own, options);
      for (const id of own) {
        const flightKey = `${entity}:${id}`;
        const single = batch.then((byId) => byId.get(id) ?? null);
        this.inFlight.set(flightKey, single);
        pending.set(id, single);
        // Remove the entry when done, unless `invalidate` already replaced or removed it.
        const forget = () => {
          if (this.inFlight.get(flightKey) === single) this.inFlight.delete(flightKey);
        };
        single.then(forget, forget);
      }
    }

    const results = new Map<string, T | null>();
    await Promise.all(
      [...pending].map(async ([id, promise]) => {
        results.set(id, (await promise) as T | null);
      }),
    );
    return ids.map((id) => results.get(id) ?? null);
  }

  /** Reads one batch: MGET, store query for the misses, conditional write-back. */
  private async readBatch<T>(
    entity: string,
    ids: readonly string[],
    options: ReadThroughOptions<T>,
  ): Promise<Map<string, T>> {
    const { found, versions } = await this.getManyWithVersions<T>(entity, ids);
    const misses = ids.filter((id) => !found.has(id));
    trace.getActiveSpan()?.setAttributes({
      [SpanAttribute.LoaderCacheHits]: found.size,
      [SpanAttribute.LoaderCacheMisses]: misses.length,
    });
    if (misses.length === 0) return found;

    const loaded = await options.load(misses);
    const entries: Array<[string, T, string | undefined]> = [];
    for (const document of loaded) {
      const id = options.idOf(document);
      found.set(id, document);
      if (options.shouldCache && !options.shouldCache(document)) continue;
      entries.push([id, document, versions.get(id)]);
    }
    await this.setManyIfUnchanged(entity, entries);
    return found;
  }

  /** Looks up many ids with one MGET; the result has an entry for each hit only. */
  async getMany<T>(entity: string, ids: readonly string[]): Promise<Map<string, T>> {
    return (await this.getManyWithVersions<T>(entity, ids)).found;
  }

  /**
   * Looks up many ids and their version keys with one MGET. Pass the versions to
   * {@link setManyIfUnchanged} so that values read before an invalidation are not written back.
   */
  async getManyWithVersions<T>(entity: string, ids: readonly string[]): Promise<CacheRead<T>> {
    const found = new Map<string, T>();
    const versions = new Map<string, string>();
    if (!this.enabled || ids.length === 0) return { found, versions };
    try {
      const keys = ids.map((id) => this.key(entity, id));
      const versionKeys = ids.map((id) => this.versionKey(entity, id));
      const values = await this.redis!.mget(...keys, ...versionKeys);
      ids.forEach((id, index) => {
        const value = values[index];
        if (value !== null && value !== undefined) found.set(id, BSON.EJSON.parse(value) as T);
        versions.set(id, values[ids.length + index] ?? '');
      });
      countCacheLookups(this.metrics, entity, {
        hits: found.size,
        misses: ids.length - found.size,
      });
    } catch {
      countCacheLookups(this.metrics, entity, { errors: ids.length });
    }
    return { found, versions };
  }

  /**
   * Writes entries back in one round trip, each with the cache's TTL, skipping every entry whose
   * version key changed since it was read. Entries without a version from the read are skipped,
   * because the read did not reach Redis.
   */
  async setManyIfUnchanged(
    entity: string,
    entries: ReadonlyArray<[id: string, value: unknown, seenVersion: string | undefined]>,
  ): Promise<void> {
    if (!this.enabled || entries.length === 0) return;
    const keys: string[] = [];
    const args: string[] = [String(this.ttlSeconds)];
    for (const [id, value, seenVersion] of entries) {
      if (seenVersion === undefined) continue;
      keys.push(this.key(entity, id), this.versionKey(entity, id));
      args.push(BSON.EJSON.stringify(value), seenVersion);
    }
    if (keys.length === 0) return;
    const script = (this.redis as unknown as { hfSetIfVersionUnchanged: SetIfVersionUnchanged })
      .hfSetIfVersionUnchanged;
    await script.call(this.redis, keys.length, ...keys, ...args).catch(() => undefined);
  }

  /**
   * Writes entries back in one pipeline, each with the cache's TTL.
   * NOTE: unconditional, so a read that started before an `invalidate` can put its older value
   * back. Prefer {@link readThrough} or {@link setManyIfUnchanged}.
   */
  async setMany(entity: string, entries: ReadonlyArray<[string, unknown]>): Promise<void> {
    if (!this.enabled || entries.length === 0) return;
    const pipeline = this.redis!.pipeline();
    for (const [id, value] of entries) {
      pipeline.set(this.key(entity, id), BSON.EJSON.stringify(value), 'EX', this.ttlSeconds);
    }
    await pipeline.exec().catch(() => undefined);
  }

  /**
   * Removes entries after a write, and bumps their version keys so that reads already in
   * progress do not write their older values back. Called by every write path, after the store
   * write succeeded, so that the next read goes to the store and returns the new value. Loads of
   * these ids in progress in this process are no longer joined by later reads.
   * NOTE: while Redis is unreachable the entries cannot be removed; they stay until their TTL
   * ends unless Redis restarts empty (the cache Redis keeps no data on disk).
   */
  async invalidate(entity: string, ids: readonly string[]): Promise<void> {
    if (!this.configured || ids.length === 0) return;
    for (const id of ids) this.inFlight.delete(`${entity}:${id}`);
    if (this.redis!.status !== 'ready') return;

    const transaction = this.redis!.multi();
    for (const id of ids) {
      const versionKey = this.versionKey(entity, id);
      transaction.del(this.key(entity, id));
      transaction.incr(versionKey);
      transaction.expire(versionKey, VERSION_TTL_SECONDS);
    }
    await transaction.exec().catch(() => undefined);
  }
}
