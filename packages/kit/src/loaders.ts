import DataLoader from 'dataloader';
import type { EntityCache } from './entityCache';
import type { ServiceMetrics } from './metrics';

/** Options of {@link createEntityLoader}. */
export interface EntityLoaderOptions<T> {
  /** Entity name used in metrics and cache keys, e.g. `card`. */
  entity: string;
  /** Loads the documents for the given ids with one store query (an `$in`). */
  load: (ids: readonly string[]) => Promise<T[]>;
  /** Returns a loaded document's id. */
  idOf: (document: T) => string;
  metrics: ServiceMetrics;
  /** Read-through cache in front of `load`; omit to always read the store. */
  cache?: EntityCache;
  /** Maximum ids per store query. Default 500. */
  maxBatchSize?: number;
}

/**
 * Creates a per-request DataLoader for documents by id. One batch makes one cache MGET and at
 * most one store query for the misses, and resolves in key order with null for missing ids.
 */
export function createEntityLoader<T>(
  options: EntityLoaderOptions<T>,
): DataLoader<string, T | null> {
  const { entity, load, idOf, metrics, cache } = options;

  return new DataLoader<string, T | null>(
    async (ids) => {
      metrics.loaderBatchSize.observe({ loader: entity }, ids.length);
      const found = cache ? await cache.getMany<T>(entity, ids) : new Map<string, T>();

      const misses = ids.filter((id) => !found.has(id));
      if (misses.length > 0) {
        const loaded = await load(misses);
        const entries: Array<[string, T]> = loaded.map((document) => [idOf(document), document]);
        for (const [id, document] of entries) found.set(id, document);
        if (cache) await cache.setMany(entity, entries);
      }

      return ids.map((id) => found.get(id) ?? null);
    },
    { maxBatchSize: options.maxBatchSize ?? 500 },
  );
}

/**
 * Creates a per-request DataLoader for lists keyed by parent: one batch sends one store query
 * for every parent key and groups the rows back by parent, in key order.
 */
export function createListLoader<T>(options: {
  name: string;
  load: (parentIds: readonly string[]) => Promise<T[]>;
  parentOf: (row: T) => string;
  metrics: ServiceMetrics;
}): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(async (parentIds) => {
    options.metrics.loaderBatchSize.observe({ loader: options.name }, parentIds.length);
    const rows = await options.load(parentIds);
    const byParent = new Map<string, T[]>();
    for (const row of rows) {
      const parent = options.parentOf(row);
      const list = byParent.get(parent);
      if (list) list.push(row);
      else byParent.set(parent, [row]);
    }
    return parentIds.map((id) => byParent.get(id) ?? []);
  });
}
