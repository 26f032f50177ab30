import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from '@heartfelt/kit';

/** One operation of the safelist manifest. */
export interface PersistedOperation {
  /** SHA-256 of `body` in hex, the id clients send as `extensions.persistedQuery.sha256Hash`. */
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

/** The manifest file, in Apollo's persisted query manifest format (version 1). */
interface ManifestFile {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: PersistedOperation[];
}

/** Returns the SHA-256 of an operation document in hex, the id APQ and the manifest use. */
export function operationId(document: string): string {
  return createHash('sha256').update(document).digest('hex');
}

/**
 * Reads the safelist manifest generated from `schema/operations/` and checks that every id is
 * the hash of its body, so a hand-edited entry cannot let another document through.
 */
export function loadSafelist(path: string): Map<string, PersistedOperation> {
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as ManifestFile;
  if (manifest.format !== 'apollo-persisted-query-manifest' || manifest.version !== 1) {
    throw new Error(`${path} is not a version 1 persisted query manifest.`);
  }
  const operations = new Map<string, PersistedOperation>();
  for (const operation of manifest.operations) {
    if (operationId(operation.body) !== operation.id) {
      throw new Error(
        `${path}: the id of operation ${operation.name} is not the hash of its body.`,
      );
    }
    operations.set(operation.id, operation);
  }
  return operations;
}

type KeyValueCacheSetOptions = { ttl?: number | null };

/**
 * Apollo Server's key-value cache for automatic persisted queries, in the cache Redis. Every
 * document is kept for a bounded time (`ttlSeconds` unless Apollo passes its own), and a Redis
 * failure counts as a miss, so the client sends the full document again.
 */
export class RedisPersistedQueryStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly prefix = 'apq:',
  ) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.redis.get(this.prefix + key)) ?? undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const ttl = options?.ttl && options.ttl > 0 ? options.ttl : this.ttlSeconds;
    try {
      await this.redis.set(this.prefix + key, value, 'EX', Math.min(ttl, this.ttlSeconds));
    } catch {
      // A lost registration only costs the client one more round trip.
    }
  }

  async delete(key: string): Promise<boolean | void> {
    try {
      await this.redis.del(this.prefix + key);
    } catch {
      // The entry expires by its TTL.
    }
  }
}
