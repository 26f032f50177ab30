import { trace } from '@opentelemetry/api';

/**
 * The tracer of the kit's own spans. Until a tracer provider is registered (tracing off), it
 * is the API's no-op tracer, so instrumented code costs a function call and nothing more.
 */
export const tracer = trace.getTracer('@heartfelt/kit');

/** Names of the span attributes this project adds; OpenTelemetry's own names are used as is. */
export const SpanAttribute = {
  /** A resolver as `<parent type>.<field>`, such as `Card.template`. */
  Resolver: 'heartfelt.resolver',
  /** Calls of the resolver that one aggregated resolver span covers. */
  ResolverCalls: 'heartfelt.resolver.calls',
  /** Whether a store command names its collection's shard key, so a cluster can target it. */
  ShardKeyTargeted: 'heartfelt.store.shard_key_targeted',
  /** `targeted`, `untargeted`, `scatter-gather` or `unchecked` (collection not sharded). */
  ShardTargeting: 'heartfelt.store.shard_targeting',
  /** Name of a DataLoader, such as `card`. */
  LoaderName: 'heartfelt.loader.name',
  /** Keys in one DataLoader batch. */
  LoaderBatchSize: 'heartfelt.loader.batch_size',
  /** Keys of a batch served by the entity cache (Redis) without a store read. */
  LoaderCacheHits: 'heartfelt.loader.cache_hits',
  /** Keys of a batch read from the store. */
  LoaderCacheMisses: 'heartfelt.loader.cache_misses',
  /** Id of a BullMQ job. */
  JobId: 'heartfelt.job.id',
  /** Name of a BullMQ job, such as `deliver-card`. */
  JobName: 'heartfelt.job.name',
  /** Attempt number of a job, from 1. */
  JobAttempt: 'heartfelt.job.attempt',
} as const;
