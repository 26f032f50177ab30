import type { Redis } from 'ioredis';
import {
  RESOLVER_SAMPLE_RETENTION_MINUTES,
  resolverSampleKey,
  type ResolverSample,
} from './resolverSamples';

/** One resolver in the slow-resolver report. */
export interface SlowResolverRow {
  /** `<parent type>.<field>`, such as `Card.template`. */
  resolver: string;
  service: string;
  count: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Trace id of the slowest sample, to open in a trace viewer. */
  slowestTraceId: string;
}

/** The slow-resolver report over a time window. */
export interface SlowResolverReport {
  /** Start of the window, ISO-8601. */
  since: string;
  minutes: number;
  /** Samples the window contained. */
  samples: number;
  /** Resolvers ordered by p95, slowest first. */
  resolvers: SlowResolverRow[];
}

/** Nearest-rank percentile of ascending `sorted`, which must not be empty. */
function percentile(sorted: readonly number[], fraction: number): number {
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1]!;
}

function parseSample(entry: string): ResolverSample | null {
  try {
    const value = JSON.parse(entry) as Partial<ResolverSample>;
    if (
      typeof value.resolver !== 'string' ||
      typeof value.service !== 'string' ||
      typeof value.durationMs !== 'number' ||
      typeof value.traceId !== 'string' ||
      typeof value.endedAtMs !== 'number'
    ) {
      return null;
    }
    return value as ResolverSample;
  } catch {
    return null;
  }
}

/**
 * Builds the slow-resolver report from the resolver span samples the services wrote to the
 * cache Redis in the last `minutes` (1 to {@link RESOLVER_SAMPLE_RETENTION_MINUTES}): per
 * resolver and service, the number of spans, their p50, p95 and maximum duration, and the
 * trace id of the slowest. Raises a RangeError for a window out of range.
 */
export async function readSlowResolverReport(
  redis: Redis,
  options: { minutes: number; limit: number; nowMs?: number },
): Promise<SlowResolverReport> {
  const { minutes, limit } = options;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > RESOLVER_SAMPLE_RETENTION_MINUTES) {
    throw new RangeError(
      `minutes must be an integer from 1 to ${RESOLVER_SAMPLE_RETENTION_MINUTES}, received ${minutes}`,
    );
  }
  const nowMs = options.nowMs ?? Date.now();
  const sinceMs = nowMs - minutes * 60_000;
  const lastMinute = Math.floor(nowMs / 60_000);
  const pipeline = redis.pipeline();
  for (let minute = Math.floor(sinceMs / 60_000); minute <= lastMinute; minute++) {
    pipeline.lrange(resolverSampleKey(minute), 0, -1);
  }
  const replies = (await pipeline.exec()) ?? [];

  const groups = new Map<string, ResolverSample[]>();
  let sampleCount = 0;
  for (const [error, entries] of replies) {
    if (error) throw error;
    for (const entry of entries as string[]) {
      const sample = parseSample(entry);
      if (!sample || sample.endedAtMs < sinceMs) continue;
      sampleCount++;
      const key = `${sample.service}\u0000${sample.resolver}`;
      const group = groups.get(key) ?? [];
      group.push(sample);
      groups.set(key, group);
    }
  }

  const rows: SlowResolverRow[] = [];
  for (const samples of groups.values()) {
    samples.sort((a, b) => a.durationMs - b.durationMs);
    const durations = samples.map((sample) => sample.durationMs);
    const slowest = samples[samples.length - 1]!;
    rows.push({
      resolver: slowest.resolver,
      service: slowest.service,
      count: samples.length,
      p50Ms: percentile(durations, 0.5),
      p95Ms: percentile(durations, 0.95),
      maxMs: slowest.durationMs,
      slowestTraceId: slowest.traceId,
    });
  }
  rows.sort((a, b) => b.p95Ms - a.p95Ms || b.count - a.count);
  return {
    since: new Date(sinceMs).toISOString(),
    minutes,
    samples: sampleCount,
    resolvers: rows.slice(0, limit),
  };
}
