import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// Services define their own metrics with the kit's prom-client, registered in its registry.
export { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The Prometheus metrics every process exposes on `/metrics`. */
export interface ServiceMetrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'status'>;
  operationDuration: Histogram<'operation' | 'outcome'>;
  storeCommands: Counter<'collection' | 'command'>;
  untargetedStoreCommands: Counter<'collection' | 'command'>;
  scatterGatherStoreCommands: Counter<'collection' | 'reason'>;
  loaderBatchSize: Histogram<'loader'>;
  cacheRequests: Counter<'entity' | 'result'>;
  graphqlErrors: Counter<'code'>;
  resolverDuration: Histogram<'field'>;
  /** Bounds the `operation` label: at most {@link MAX_OPERATION_LABELS} distinct names. */
  operationLabels: BoundedLabelValues;
}

/** Distinct operation names a process labels metrics with; later names are counted as `other`. */
export const MAX_OPERATION_LABELS = 200;

/**
 * Keeps a metric label that clients choose, such as the operation name, to a bounded set of
 * values: a value must look like a GraphQL name of at most 64 characters, and once `max`
 * distinct values were seen, new ones become `other`. Prometheus keeps one series per label
 * value, so an unbounded label would let any client grow the memory of every scrape.
 */
export class BoundedLabelValues {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  of(value: string | null | undefined, fallback = 'anonymous'): string {
    if (value === null || value === undefined || value === '') return fallback;
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(value)) return 'other';
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(value);
    return value;
  }
}

/** Creates a registry with process metrics and the graph's own counters, labelled by service. */
export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'heartfelt_' });
  // prom-client names these gauges with `_total`, which Prometheus keeps for counters. The
  // gauges of the same name without the suffix, by type, add up to the same numbers.
  for (const name of ['active_handles', 'active_requests', 'active_resources']) {
    registry.removeSingleMetric(`heartfelt_nodejs_${name}_total`);
  }

  return {
    registry,
    httpRequests: new Counter({
      name: 'heartfelt_http_requests_total',
      help: 'HTTP requests served, by route and status code.',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
    operationDuration: new Histogram({
      name: 'heartfelt_graphql_operation_duration_seconds',
      help: 'GraphQL operation duration in seconds, by operation name and outcome.',
      labelNames: ['operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    storeCommands: new Counter({
      name: 'heartfelt_store_commands_total',
      help: 'Commands sent to the MongoDB-compatible store, by collection and command.',
      labelNames: ['collection', 'command'],
      registers: [registry],
    }),
    untargetedStoreCommands: new Counter({
      name: 'heartfelt_store_untargeted_commands_total',
      help:
        'Commands on a sharded collection whose filter lacks the shard key, so a sharded ' +
        'cluster would send them to every shard, by collection and command.',
      labelNames: ['collection', 'command'],
      registers: [registry],
    }),
    scatterGatherStoreCommands: new Counter({
      name: 'heartfelt_store_scatter_gather_commands_total',
      help:
        'Commands on a sharded collection without the shard key that are marked as ' +
        'scatter-gather by design, by collection and reason.',
      labelNames: ['collection', 'reason'],
      registers: [registry],
    }),
    loaderBatchSize: new Histogram({
      name: 'heartfelt_dataloader_batch_size',
      help: 'Keys per DataLoader batch, by loader.',
      labelNames: ['loader'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    }),
    cacheRequests: new Counter({
      name: 'heartfelt_entity_cache_requests_total',
      help: 'Entity cache lookups, by entity type and result (hit, miss, error).',
      labelNames: ['entity', 'result'],
      registers: [registry],
    }),
    graphqlErrors: new Counter({
      name: 'heartfelt_graphql_errors_total',
      help:
        'Errors in GraphQL responses, by extensions.code as the client received it ' +
        '(unexpected errors count as INTERNAL_SERVER_ERROR).',
      labelNames: ['code'],
      registers: [registry],
    }),
    resolverDuration: new Histogram({
      name: 'heartfelt_graphql_resolver_duration_seconds',
      help:
        'Duration of root-field resolvers and of fields with their own resolver, in seconds, ' +
        'by schema coordinate (Type.field). Fields read from the parent object are not timed.',
      labelNames: ['field'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    operationLabels: new BoundedLabelValues(MAX_OPERATION_LABELS),
  };
}
