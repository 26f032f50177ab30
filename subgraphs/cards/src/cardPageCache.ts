import { randomUUID } from 'node:crypto';
import { BSON } from 'mongodb';
import { countCacheLookups, type Redis, type ServiceMetrics } from '@heartfelt/kit';
import type { CardDocument } from './repository/documents';

/** A cached page: its rows and the owner's page version they were read under. */
interface CachedPage {
  version: string;
  rows: CardDocument[];
}

/** Result of one {@link CardPageCache.read} for one owner. */
export interface CardPageRead {
  /** The owner's current page version; null when Redis has none or could not be reached. */
  version: string | null;
  /** Rows of the pages that are cached under the current version, by page key. */
  found: Map<string, CardDocument[]>;
}

/**
 * Redis cache of `User.cards` pages. Every owner has a page version,
 * `hf:v1:card-page-version:<ownerId>`, a random token that {@link bump} replaces after each
 * write of one of the owner's cards. A page entry, `hf:v1:card-page:<ownerId>:<pageKey>`,
 * records the version it was read under, and a read uses it only while that is still the
 * owner's version. The version and the pages come from one MGET.
 *
 * A read that raced with a write may store its older rows, but under the version it saw
 * before the bump, so no later read uses them. Versions are random, never counters, so an
 * expired or evicted version key cannot make an old page valid again.
 * Every Redis failure is treated as a miss.
 * NOTE: while Redis is unreachable, `bump` cannot replace the version. Pages cached before the
 * outage stay valid until their TTL ends, unless Redis restarts empty (the cache Redis keeps
 * no data on disk).
 */
export class CardPageCache {
  constructor(
    private readonly redis: Redis | null,
    private readonly metrics: ServiceMetrics,
    /** Entry lifetime in seconds, for pages and versions alike; 0 disables the cache. */
    private readonly ttlSeconds: number,
  ) {}

  private get enabled(): boolean {
    return this.redis !== null && this.ttlSeconds > 0 && this.redis.status === 'ready';
  }

  private versionKey(ownerId: string): string {
    return `hf:v1:card-page-version:${ownerId}`;
  }

  private pageKey(ownerId: string, pageKey: string): string {
    return `hf:v1:card-page:${ownerId}:${pageKey}`;
  }

  /** Reads the owner's version and the pages `pageKeys` in one MGET. */
  async read(ownerId: string, pageKeys: readonly string[]): Promise<CardPageRead> {
    const found = new Map<string, CardDocument[]>();
    if (!this.enabled) return { version: null, found };
    try {
      const values = await this.redis!.mget(
        this.versionKey(ownerId),
        ...pageKeys.map((key) => this.pageKey(ownerId, key)),
      );
      const version = values[0] ?? null;
      if (version !== null) {
        pageKeys.forEach((key, index) => {
          const value = values[index + 1];
          if (value === null || value === undefined) return;
          const page = BSON.EJSON.parse(value) as CachedPage;
          if (page.version === version) found.set(key, page.rows);
        });
      }
      countCacheLookups(this.metrics, 'card-page', {
        hits: found.size,
        misses: pageKeys.length - found.size,
      });
      return { version, found };
    } catch {
      countCacheLookups(this.metrics, 'card-page', { errors: pageKeys.length });
      return { version: null, found };
    }
  }

  /**
   * Stores pages read from the store under the version that {@link read} returned before the
   * store query. Without a version, it only gives the owner one, so that the next read can
   * cache: pages read now cannot be tied to a version that was current before their query.
   */
  async write(
    ownerId: string,
    version: string | null,
    pages: ReadonlyArray<[pageKey: string, rows: CardDocument[]]>,
  ): Promise<void> {
    if (!this.enabled || pages.length === 0) return;
    const pipeline = this.redis!.pipeline();
    if (version === null) {
      pipeline.set(this.versionKey(ownerId), randomUUID(), 'EX', this.ttlSeconds, 'NX');
    } else {
      for (const [key, rows] of pages) {
        const page: CachedPage = { version, rows };
        pipeline.set(this.pageKey(ownerId, key), BSON.EJSON.stringify(page), 'EX', this.ttlSeconds);
      }
    }
    await pipeline.exec().catch(() => undefined);
  }

  /**
   * Makes every cached page of the owner invalid by giving the owner a new version. Called
   * after every store write of one of the owner's cards.
   */
  async bump(ownerId: string): Promise<void> {
    if (!this.enabled) return;
    await this.redis!.set(this.versionKey(ownerId), randomUUID(), 'EX', this.ttlSeconds).catch(
      () => undefined,
    );
  }
}
