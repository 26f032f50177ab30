import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
}

/** Creates a registry with process metrics and the graph's own counters, labelled by service. */
export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'heartfelt_' });

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
  };
}
