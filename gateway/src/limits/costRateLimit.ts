import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ErrorCode, type Identity, type Logger } from '@heartfelt/kit';
import { GraphQLError } from 'graphql';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { GatewayContext } from '../context';
import type { LimitMetrics } from './limitMetrics';
import { operationCost } from './operationCost';

/** The budget report sent in `extensions.cost` of every response to an operation. */
export interface CostReport {
  /** Cost charged for this request, 0 when it was throttled. */
  charged: number;
  /** Cost left in the tightest budget until it refills, or null while Redis is unreachable. */
  remaining: number | null;
  /** Size of that budget per window. */
  limit: number;
  /** Seconds until that budget refills. */
  resetSeconds: number;
}

/** Identity fields that partner-key authentication adds, absent for user tokens. */
type RateLimitedIdentity = Identity & { partnerKeyId?: string | null; rateTier?: string | null };

/** One budget that a request is charged against. */
interface Budget {
  key: string;
  limit: number;
  limiter: RateLimiterAbstract;
}

export interface CostRateLimitOptions {
  /** Creates (once per tier and for IPs) a limiter of `points` per window. */
  limiterFor: (name: string, points: number) => RateLimiterAbstract;
  /** Operations costlier than this are rejected by the cost limit and not charged. */
  maxCost: number;
  ipBudget: number;
  tierBudgets: Record<string, number>;
  logger: Logger;
  metrics: LimitMetrics;
}

function throttled(cost: number, report: CostReport): GraphQLError {
  return new GraphQLError(
    `Rate limit exceeded: this operation costs ${cost} and ${report.remaining ?? 0} of ` +
      `${report.limit} remain in the current window; retry after ${report.resetSeconds} seconds.`,
    {
      extensions: {
        code: ErrorCode.RateLimited,
        http: {
          status: 429,
          headers: new HeaderMap([['retry-after', String(report.resetSeconds)]]),
        },
      },
    },
  );
}

/**
 * Charges each operation's cost, as graphql-armor's cost limit measures it, against the
 * caller's budgets in Redis: the partner key's (or else the signed-in user's) budget for its
 * rate tier, and, without a partner key, the client IP's budget. Partner integrations often
 * share one egress address, so a partner key is charged by key alone. The tightest budget is
 * reported in `extensions.cost`; when one is exhausted the request gets HTTP 429 with
 * Retry-After and RATE_LIMITED, and nothing runs.
 *
 * When Redis is unreachable the gateway fails open: requests run uncharged, the outage is
 * logged once and counted in `heartfelt_rate_limit_store_errors_total{limit="cost"}`.
 */
export function costRateLimitPlugin(
  options: CostRateLimitOptions,
): ApolloServerPlugin<GatewayContext> {
  const { logger, metrics } = options;
  const limiters = new Map<string, RateLimiterAbstract>();
  const limiterFor = (name: string, points: number) => {
    let limiter = limiters.get(name);
    if (!limiter) {
      limiter = options.limiterFor(name, points);
      limiters.set(name, limiter);
    }
    return limiter;
  };
  let storeDown = false;

  const budgetsOf = (context: GatewayContext): Budget[] => {
    const identity = context.identity as RateLimitedIdentity;
    const budgets: Budget[] = [];
    const owner = identity.partnerKeyId
      ? `partner:${identity.partnerKeyId}`
      : identity.userId
        ? `user:${identity.userId}`
        : null;
    if (owner) {
      const fallbackTier = identity.partnerKeyId ? 'standard' : 'user';
      const tier =
        identity.rateTier && identity.rateTier in options.tierBudgets
          ? identity.rateTier
          : fallbackTier;
      const limit = options.tierBudgets[tier] ?? options.ipBudget;
      budgets.push({ key: owner, limit, limiter: limiterFor(`tier:${tier}`, limit) });
    }
    if (!identity.partnerKeyId) {
      budgets.push({
        key: `ip:${context.clientAddress}`,
        limit: options.ipBudget,
        limiter: limiterFor('ip', options.ipBudget),
      });
    }
    return budgets;
  };

  const reportOf = (budget: Budget, result: RateLimiterRes, charged: number): CostReport => ({
    charged,
    remaining: Math.max(0, result.remainingPoints),
    limit: budget.limit,
    resetSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1000)),
  });

  return {
    async requestDidStart({ contextValue }) {
      let report: CostReport | undefined;
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const cost = operationCost(schema, document, operation, request.variables);
          if (cost > options.maxCost) return;
          const charged: Budget[] = [];
          let tightest: CostReport | undefined;
          for (const budget of budgetsOf(contextValue)) {
            let current: CostReport;
            try {
              const result =
                cost > 0
                  ? await budget.limiter.consume(budget.key, cost)
                  : ((await budget.limiter.get(budget.key)) ??
                    new RateLimiterRes(budget.limit, 0, 0));
              charged.push(budget);
              current = reportOf(budget, result, cost);
            } catch (error) {
              if (!(error instanceof RateLimiterRes)) {
                metrics.storeErrors.inc({ limit: 'cost' });
                if (!storeDown) {
                  logger.warn(
                    { err: error },
                    'rate-limit store unreachable, so operations run uncharged',
                  );
                }
                storeDown = true;
                report = { charged: 0, remaining: null, limit: budget.limit, resetSeconds: 0 };
                return;
              }
              // The limiter counted the rejected cost too. It is given back, with what the
              // other budgets were charged, so that retries do not push a budget further down.
              for (const refunded of [...charged, budget]) {
                await refunded.limiter.reward(refunded.key, cost).catch(() => undefined);
              }
              metrics.rejections.inc({ limit: `cost-${budget.key.split(':')[0]}` });
              report = {
                ...reportOf(budget, error, 0),
                remaining: Math.max(0, budget.limit - (error.consumedPoints - cost)),
              };
              throw throttled(cost, report);
            }
            if (!tightest || (current.remaining ?? 0) < (tightest.remaining ?? 0)) {
              tightest = current;
            }
          }
          if (storeDown) logger.info('rate-limit store reachable again');
          storeDown = false;
          report = tightest;
        },
        async willSendResponse({ response }) {
          if (!report || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, cost: report };
        },
      };
    },
  };
}
