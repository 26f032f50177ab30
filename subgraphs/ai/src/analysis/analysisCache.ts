import { countCacheLookups, type Redis, type ServiceMetrics } from '@heartfelt/kit';
import type { MessageAnalysis } from './messageAnalysis';

/**
 * Version of the analysis in the cache keys. Bump it whenever the sentiment thresholds or the
 * music catalogue change, so that entries computed the old way are no longer read.
 */
const ANALYSIS_VERSION = 1;

/** Label of this cache in `heartfelt_entity_cache_requests_total`. */
const METRIC_ENTITY = 'message-analysis';

/**
 * Redis cache of message analyses, one key per message hash:
 * `hf:v1:message-analysis:<version>:<sha256>`. A message's analysis never changes, so entries
 * only expire to bound memory. Every Redis failure counts as a miss, so the caller computes the
 * analysis instead.
 */
export class MessageAnalysisCache {
  constructor(
    private readonly redis: Redis,
    private readonly metrics: ServiceMetrics,
    /** Entry lifetime in seconds. */
    private readonly ttlSeconds: number,
  ) {}

  private key(messageHash: string): string {
    return `hf:v1:${METRIC_ENTITY}:${ANALYSIS_VERSION}:${messageHash}`;
  }

  private get ready(): boolean {
    return this.redis.status === 'ready';
  }

  /** Looks up many message hashes with one MGET; the result has an entry for each hit only. */
  async getMany(messageHashes: readonly string[]): Promise<Map<string, MessageAnalysis>> {
    const found = new Map<string, MessageAnalysis>();
    if (!this.ready || messageHashes.length === 0) return found;
    try {
      const values = await this.redis.mget(...messageHashes.map((hash) => this.key(hash)));
      values.forEach((value, index) => {
        const analysis = value === null ? null : parseAnalysis(value);
        if (analysis) found.set(messageHashes[index]!, analysis);
      });
      countCacheLookups(this.metrics, METRIC_ENTITY, {
        hits: found.size,
        misses: messageHashes.length - found.size,
      });
    } catch {
      countCacheLookups(this.metrics, METRIC_ENTITY, { errors: messageHashes.length });
    }
    return found;
  }

  /** Stores analyses in one pipeline; a failed write is dropped, as a later read recomputes it. */
  async setMany(entries: ReadonlyArray<[string, MessageAnalysis]>): Promise<void> {
    if (!this.ready || entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [messageHash, analysis] of entries) {
      pipeline.set(this.key(messageHash), JSON.stringify(analysis), 'EX', this.ttlSeconds);
    }
    await pipeline.exec().catch(() => undefined);
  }
}

/** Parses a cached entry, or returns null for one that does not have the expected shape. */
function parseAnalysis(value: string): MessageAnalysis | null {
  try {
    const parsed = JSON.parse(value) as Partial<MessageAnalysis>;
    if (typeof parsed.sentiment?.score !== 'number' || !Array.isArray(parsed.musicSuggestions)) {
      return null;
    }
    return parsed as MessageAnalysis;
  } catch {
    return null;
  }
}
