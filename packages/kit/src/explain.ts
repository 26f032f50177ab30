import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { shardKeys, type ShardedCollection } from './shardKeys';
import type { ShardTargeting } from './shardKeyCheck';
import type { ServiceMetrics } from './metrics';
import { currentRequestScope } from './requestScope';

/** Entity cache lookups of one request for one entity type. */
export interface CacheLookups {
  hits: number;
  misses: number;
  errors: number;
}

/** Store commands of one request with the same collection, command and shard routing. */
export interface StoreCommandFacts {
  collection: string;
  command: string;
  /** The collection's hashed shard key, or null when the collection is not sharded. */
  shardKey: string | null;
  /** Routing of the command in a sharded cluster (see `ShardTargeting`). */
  targeting: ShardTargeting['kind'];
  /** Reason of a scatter-gather command, from its `scatterGatherComment`. */
  reason?: string;
  count: number;
}

/** What a subgraph returns in `extensions.explain` when the gateway requests it. */
export interface SubgraphExplain {
  cache: Record<string, CacheLookups>;
  storeCommands: StoreCommandFacts[];
}

/**
 * Collects the cache lookups and store commands of one request for explain mode. A subgraph
 * creates one only when the gateway's signed token carries the explain claim.
 */
export class ExplainRecorder {
  private readonly cache = new Map<string, CacheLookups>();
  private readonly commands = new Map<string, StoreCommandFacts>();

  recordCacheLookups(entity: string, lookups: Partial<CacheLookups>): void {
    let entry = this.cache.get(entity);
    if (!entry) {
      entry = { hits: 0, misses: 0, errors: 0 };
      this.cache.set(entity, entry);
    }
    entry.hits += lookups.hits ?? 0;
    entry.misses += lookups.misses ?? 0;
    entry.errors += lookups.errors ?? 0;
  }

  recordStoreCommand(collection: string, command: string, targeting: ShardTargeting): void {
    const reason = targeting.kind === 'scatter-gather' ? targeting.reason : undefined;
    const key = `${collection}\u0000${command}\u0000${targeting.kind}\u0000${reason ?? ''}`;
    const existing = this.commands.get(key);
    if (existing) {
      existing.count += 1;
      return;
    }
    this.commands.set(key, {
      collection,
      command,
      shardKey: Object.hasOwn(shardKeys, collection)
        ? shardKeys[collection as ShardedCollection]
        : null,
      targeting: targeting.kind,
      ...(reason === undefined ? {} : { reason }),
      count: 1,
    });
  }

  toJSON(): SubgraphExplain {
    return {
      cache: Object.fromEntries(this.cache),
      storeCommands: [...this.commands.values()],
    };
  }
}

/**
 * Counts cache lookups in `heartfelt_entity_cache_requests_total`, and in the explain facts of
 * the current request when it asked for them. Every cache of a subgraph reports through here.
 */
export function countCacheLookups(
  metrics: ServiceMetrics,
  entity: string,
  lookups: Partial<CacheLookups>,
): void {
  if (lookups.hits) metrics.cacheRequests.inc({ entity, result: 'hit' }, lookups.hits);
  if (lookups.misses) metrics.cacheRequests.inc({ entity, result: 'miss' }, lookups.misses);
  if (lookups.errors) metrics.cacheRequests.inc({ entity, result: 'error' }, lookups.errors);
  currentRequestScope()?.explain?.recordCacheLookups(entity, lookups);
}

/**
 * Adds the request's explain facts to the response's `extensions.explain` when the gateway's
 * token asked for them; other responses are left as they are.
 */
export function explainResponsePlugin<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const explain = currentRequestScope()?.explain;
          if (!explain || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, explain: explain.toJSON() };
        },
      };
    },
  };
}
