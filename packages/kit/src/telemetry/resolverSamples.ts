import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { Redis } from 'ioredis';
import { SpanAttribute } from './tracer';

/** One finished resolver span, as stored for the slow-resolver report. */
export interface ResolverSample {
  /** Resolver, `<parent type>.<field>`. */
  resolver: string;
  /** `service.name` of the process that ran it. */
  service: string;
  durationMs: number;
  traceId: string;
  /** When the span ended, in milliseconds since the epoch. */
  endedAtMs: number;
}

/** Minutes a bucket of samples is kept in Redis; the report looks back at most this far. */
export const RESOLVER_SAMPLE_RETENTION_MINUTES = 120;

/** Redis key of the samples of one minute (minutes since the epoch). */
export function resolverSampleKey(minute: number): string {
  return `hf:trace:resolvers:${minute}`;
}

/** Most samples held in memory between two flushes; more are dropped until the next flush. */
const MAX_BUFFERED_SAMPLES = 10_000;
const FLUSH_INTERVAL_MS = 1000;

function toMilliseconds([seconds, nanoseconds]: [number, number]): number {
  return seconds * 1000 + nanoseconds / 1e6;
}

/**
 * A span processor that keeps the duration of every resolver span this process ends and, once
 * a second, writes them to the cache Redis in one bucket per minute (a list, trimmed to the
 * newest `maxSamplesPerMinute`, expiring after {@link RESOLVER_SAMPLE_RETENTION_MINUTES}).
 * Only sampled spans reach it, so with a ratio sampler the report covers that share of the
 * requests. Redis failures drop the samples of that flush: the report is best effort.
 */
export class ResolverSampleRecorder implements SpanProcessor {
  private buffer: ResolverSample[] = [];
  private redis: Redis | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: { maxSamplesPerMinute: number }) {}

  /** Starts writing samples to `redis`, the cache Redis of this service. */
  attach(redis: Redis): void {
    this.redis = redis;
    this.timer ??= setInterval(() => void this.flush(), FLUSH_INTERVAL_MS).unref();
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    const resolver = span.attributes[SpanAttribute.Resolver];
    if (typeof resolver !== 'string' || this.buffer.length >= MAX_BUFFERED_SAMPLES) return;
    this.buffer.push({
      resolver,
      service: String(span.resource.attributes['service.name'] ?? 'unknown'),
      durationMs: Math.round(toMilliseconds(span.duration) * 100) / 100,
      traceId: span.spanContext().traceId,
      endedAtMs: Math.round(toMilliseconds(span.endTime)),
    });
  }

  /** Writes the buffered samples to Redis; without an attached Redis they stay buffered. */
  async flush(): Promise<void> {
    const redis = this.redis;
    if (!redis || this.buffer.length === 0) return;
    const samples = this.buffer;
    this.buffer = [];

    const byMinute = new Map<number, string[]>();
    for (const sample of samples) {
      const minute = Math.floor(sample.endedAtMs / 60_000);
      const bucket = byMinute.get(minute) ?? [];
      bucket.push(JSON.stringify(sample));
      byMinute.set(minute, bucket);
    }
    const pipeline = redis.multi();
    for (const [minute, entries] of byMinute) {
      const key = resolverSampleKey(minute);
      pipeline.lpush(key, ...entries);
      pipeline.ltrim(key, 0, this.options.maxSamplesPerMinute - 1);
      pipeline.expire(key, RESOLVER_SAMPLE_RETENTION_MINUTES * 60);
    }
    // The recorder's own Redis commands must not become spans, or recording would feed itself.
    await context
      .with(suppressTracing(context.active()), () => pipeline.exec())
      .catch(() => undefined);
  }

  forceFlush(): Promise<void> {
    return this.flush();
  }

  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
