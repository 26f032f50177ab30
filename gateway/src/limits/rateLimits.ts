import { once } from 'node:events';
import type { ApolloServerPlugin } from '@apollo/server';
import { createCacheRedis, type Logger, type ServiceMetrics } from '@heartfelt/kit';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { GatewayContext } from '../context';
import { costRateLimitPlugin } from './costRateLimit';
import { createLimitMetrics } from './limitMetrics';
import { logInProtectionPlugin } from './logInProtection';

export interface RateLimitSettings {
  REDIS_URL?: string;
  MAX_COST: number;
  RATE_LIMIT_ENABLED: boolean;
  RATE_LIMIT_WINDOW_SECONDS: number;
  RATE_LIMIT_IP_COST: number;
  RATE_LIMIT_TIER_COSTS: Record<string, number>;
  LOGIN_MAX_CONSECUTIVE_FAILURES: number;
  LOGIN_LOCKOUT_SECONDS: number;
  LOGIN_MAX_ATTEMPTS_PER_IP: number;
}

/** The gateway's rate-limit plugins and the Redis connection they share. */
export interface RateLimits {
  plugins: Array<ApolloServerPlugin<GatewayContext>>;
  /**
   * Waits up to `timeoutMs` for the Redis connection, so that the first requests are charged.
   * After the timeout, or a connection error, the gateway starts anyway and fails open until
   * Redis is reachable.
   */
  waitUntilReady(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Creates the cost rate limit and the logIn protection, with their counters in the cache
 * Redis (REDIS_URL) so that every gateway replica draws on the same budgets. Without
 * REDIS_URL the counters live in this process's memory, which suits one replica only.
 */
export function createRateLimits(
  settings: RateLimitSettings,
  logger: Logger,
  serviceMetrics: ServiceMetrics,
): RateLimits {
  const redis = settings.REDIS_URL ? createCacheRedis(settings.REDIS_URL, logger) : undefined;
  if (!redis) logger.warn('REDIS_URL is not set: rate limits are counted per gateway process');
  const metrics = createLimitMetrics(serviceMetrics.registry);

  const limiterFor = (name: string, points: number, duration: number): RateLimiterAbstract => {
    const keyPrefix = `heartfelt:rl:${name}`;
    return redis
      ? new RateLimiterRedis({
          storeClient: redis,
          keyPrefix,
          points,
          duration,
          rejectIfRedisNotReady: true,
        })
      : new RateLimiterMemory({ keyPrefix, points, duration });
  };

  const plugins: Array<ApolloServerPlugin<GatewayContext>> = [
    logInProtectionPlugin({
      limiterFor,
      maxConsecutiveFailures: settings.LOGIN_MAX_CONSECUTIVE_FAILURES,
      lockoutSeconds: settings.LOGIN_LOCKOUT_SECONDS,
      maxAttemptsPerIp: settings.LOGIN_MAX_ATTEMPTS_PER_IP,
      logger,
      metrics,
    }),
  ];
  if (settings.RATE_LIMIT_ENABLED) {
    plugins.push(
      costRateLimitPlugin({
        limiterFor: (name, points) => limiterFor(name, points, settings.RATE_LIMIT_WINDOW_SECONDS),
        maxCost: settings.MAX_COST,
        ipBudget: settings.RATE_LIMIT_IP_COST,
        tierBudgets: settings.RATE_LIMIT_TIER_COSTS,
        logger,
        metrics,
      }),
    );
  }

  return {
    plugins,
    async waitUntilReady(timeoutMs) {
      if (!redis || redis.status === 'ready') return;
      let timer: NodeJS.Timeout | undefined;
      const ready = await Promise.race([
        // once() rejects on an 'error' event: Redis is down, so the wait is over too.
        once(redis, 'ready').then(
          () => true,
          () => false,
        ),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (!ready)
        logger.warn({ timeoutMs }, 'rate-limit Redis not ready, so the gateway starts without it');
    },
    async close() {
      await redis?.quit().catch(() => redis.disconnect());
    },
  };
}
