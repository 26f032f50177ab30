import { Counter, type Registry } from 'prom-client';

/** Counters shared by the gateway's rate limits, labelled by the limit involved. */
export interface LimitMetrics {
  rejections: Counter<'limit'>;
  storeErrors: Counter<'limit'>;
}

export function createLimitMetrics(registry: Registry): LimitMetrics {
  return {
    rejections: new Counter({
      name: 'heartfelt_rate_limit_rejections_total',
      help: 'Requests rejected by a rate limit or a logIn lockout, by limit.',
      labelNames: ['limit'],
      registers: [registry],
    }),
    storeErrors: new Counter({
      name: 'heartfelt_rate_limit_store_errors_total',
      help: 'Rate-limit checks that could not reach Redis, so the request ran unchecked, by limit.',
      labelNames: ['limit'],
      registers: [registry],
    }),
  };
}
