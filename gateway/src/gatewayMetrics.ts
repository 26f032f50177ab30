import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, Histogram, type Registry } from '@heartfelt/kit';
import type { GatewayContext } from './context';

/** Metrics only the gateway has: subgraph fetches and the response cache. */
export interface GatewayMetrics {
  subgraphFetchDuration: Histogram<'subgraph' | 'outcome'>;
  responseCacheRequests: Counter<'result'>;
}

/** Registers the gateway's own metrics next to the kit's. */
export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  return {
    subgraphFetchDuration: new Histogram({
      name: 'heartfelt_subgraph_fetch_duration_seconds',
      help:
        'Duration of the gateway fetches from each subgraph in seconds, by subgraph and outcome: ' +
        'ok, graphql_error (the subgraph returned errors) or failed (no usable response).',
      labelNames: ['subgraph', 'outcome'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    responseCacheRequests: new Counter({
      name: 'heartfelt_response_cache_requests_total',
      help: 'Query responses looked up in the response cache, by result (hit, miss).',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}

/**
 * Counts response cache hits and misses of queries. A query counts as a miss when the cache
 * was bypassed as well, for example while the user's cache generation cannot be read.
 */
export function responseCacheMetricsPlugin(
  metrics: GatewayMetrics,
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse(requestContext) {
          const hit = requestContext.metrics.responseCacheHit;
          if (requestContext.operation?.operation !== 'query' || hit === undefined) return;
          metrics.responseCacheRequests.inc({ result: hit ? 'hit' : 'miss' });
          requestContext.contextValue.explain?.recordResponseCache(hit ? 'hit' : 'miss');
        },
      };
    },
  };
}
