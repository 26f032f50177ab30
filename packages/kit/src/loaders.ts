import DataLoader from 'dataloader';
import type { EntityCache } from './entityCache';
import type { ServiceMetrics } from './metrics';
import { SpanAttribute, tracer } from './telemetry/tracer';

/**
 * Runs one DataLoader batch inside a `dataloader.batch <name>` span with the batch size. The
 * span is per batch, never per key, so a request's span count does not grow with list sizes.
 */
function inBatchSpan<Result>(
  name: string,
  batchSize: number,
  run: () => Promise<Result>,
): Promise<Result> {
  return tracer.startActiveSpan(
    `dataloader.batch ${name}`,
    {
      attributes: { [SpanAttribute.LoaderName]: name, [SpanAttribute.LoaderBatchSize]: batchSize },
    },
    async (span) => {
      try {
        return await run();
      } finally {
        span.end();
      }
    },
  );
}

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
  /** Returns false for documents that must not be cached. Default: cache every document. */
  shouldCache?: (document: T) => boolean;
  /** Maximum ids per store query. Default 500. */
  maxBatchSize?: number;
}

/**
 * Creates a per-request DataLoader for documents by id. One batch makes one cache MGET and at
 * most one store query for the misses, and resolves in key order with null for missing ids.
 * Ids that another request of this process is loading at the same time join that store read.
 */
export function createEntityLoader<T>(
  options: EntityLoaderOptions<T>,
): DataLoader<string, T | null> {
  const { entity, load, idOf, metrics, cache, shouldCache } = options;

  return new DataLoader<string, T | null>(
    (ids) =>
      inBatchSpan(entity, ids.length, async () => {
        metrics.loaderBatchSize.observe({ loader: entity }, ids.length);
        if (cache) return cache.readThrough<T>(entity, ids, { load, idOf, shouldCache });

        const loaded = await load(ids);
        const byId = new Map(loaded.map((document) => [idOf(document), document]));
        return ids.map((id) => byId.get(id) ?? null);
      }),
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
  return new DataLoader<string, T[]>((parentIds) =>
    inBatchSpan(options.name, parentIds.length, async () => {
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
    }),
  );
}
