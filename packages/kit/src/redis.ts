import Redis from 'ioredis';
import type { Logger } from './logger';

export type { Redis };

/**
 * Connects to the cache Redis. The client fails fast rather than queueing commands while Redis
 * is away, because every caller can fall back to the store: a slow cache must not slow a
 * request more than a missing one.
 */
export function createCacheRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    connectTimeout: 1000,
    commandTimeout: 500,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });

  // Log one line per outage, not one per failed command or reconnect attempt.
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn({ err: error.message }, 'cache Redis unavailable; serving from the store');
  });
  redis.on('ready', () => {
    if (down) logger.info('cache Redis is back');
    down = false;
  });
  return redis;
}
