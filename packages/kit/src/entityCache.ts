import { BSON } from 'mongodb';
import type { Redis } from './redis';
import type { ServiceMetrics } from './metrics';

/**
 * Read-through Redis cache of stored documents, one key per entity: `hf:v1:<entity>:<id>`.
 * Values are Extended JSON so that dates and other BSON types survive the round trip. Every
 * Redis failure is treated as a miss: the cache only ever makes reads cheaper, never fail.
 */
export class EntityCache {
  constructor(
    private readonly redis: Redis | null,
    private readonly metrics: ServiceMetrics,
    /** Entry lifetime in seconds; 0 disables the cache. */
    private readonly ttlSeconds: number,
  ) {}

  private key(entity: string, id: string): string {
    return `hf:v1:${entity}:${id}`;
  }

  private get enabled(): boolean {
    return this.redis !== null && this.ttlSeconds > 0 && this.redis.status === 'ready';
  }

  /** Looks up many ids with one MGET; the result has an entry for each hit only. */
  async getMany<T>(entity: string, ids: readonly string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    if (!this.enabled || ids.length === 0) return found;
    try {
      const values = await this.redis!.mget(...ids.map((id) => this.key(entity, id)));
      values.forEach((value, index) => {
        if (value !== null) found.set(ids[index]!, BSON.EJSON.parse(value) as T);
      });
      this.metrics.cacheRequests.inc({ entity, result: 'hit' }, found.size);
      this.metrics.cacheRequests.inc({ entity, result: 'miss' }, ids.length - found.size);
    } catch {
      this.metrics.cacheRequests.inc({ entity, result: 'error' }, ids.length);
    }
    return found;
  }

  /** Writes entries back in one pipeline, each with the cache's TTL. */
  async setMany(entity: string, entries: ReadonlyArray<[string, unknown]>): Promise<void> {
    if (!this.enabled || entries.length === 0) return;
    const pipeline = this.redis!.pipeline();
    for (const [id, value] of entries) {
      pipeline.set(this.key(entity, id), BSON.EJSON.stringify(value), 'EX', this.ttlSeconds);
    }
    await pipeline.exec().catch(() => undefined);
  }

  /**
   * Removes entries after a write. Called by every write path, after the store write succeeded,
   * so that the next read goes to the store and sees the new value.
   */
  async invalidate(entity: string, ids: readonly string[]): Promise<void> {
    if (!this.redis || ids.length === 0 || this.ttlSeconds === 0) return;
    if (this.redis.status !== 'ready') return;
    await this.redis.del(...ids.map((id) => this.key(entity, id))).catch(() => undefined);
  }
}
