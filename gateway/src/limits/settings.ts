import { z } from 'zod';

/** Parses "tier=points,tier=points" into a map of cost budgets by rate tier. */
function parseTierBudgets(value: string): Record<string, number> {
  return Object.fromEntries(
    value.split(',').map((entry) => {
      const [tier, points] = entry.split('=');
      return [tier!.trim(), Number(points)];
    }),
  );
}

const TIER_BUDGETS_PATTERN = /^\s*[a-z][\w-]*\s*=\s*\d+\s*(,\s*[a-z][\w-]*\s*=\s*\d+\s*)*$/i;

/** Settings of the gateway's rate limits and of the client address they are keyed by. */
export const limitSettings = {
  /**
   * Proxies in front of the gateway that append to X-Forwarded-For and are trusted to. 0 (the
   * default) keys per-IP limits by the socket's peer address and ignores the header.
   */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** Charges each operation's cost against per-caller budgets, unless "false". */
  RATE_LIMIT_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** Length of a rate-limit window, in seconds. Budgets refill at the end of each window. */
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /**
   * Cost budget per client IP address and window, for callers without a partner key. An
   * operation costs what the MAX_COST check measures.
   */
  RATE_LIMIT_IP_COST: z.coerce.number().int().min(1).default(400_000),
  /**
   * Cost budgets per window by rate tier, charged to the partner key or, without one, the
   * signed-in user. A partner key's tier is the `rateTier` it was created with (`standard` or
   * `high`); signed-in users get "user".
   */
  RATE_LIMIT_TIER_COSTS: z
    .string()
    .regex(
      TIER_BUDGETS_PATTERN,
      'must be a list such as "user=200000,standard=2000000,high=10000000"',
    )
    .default('user=200000,standard=2000000,high=10000000')
    .transform(parseTierBudgets),
  /** Failed logIn attempts in a row for one email before it is locked out. */
  LOGIN_MAX_CONSECUTIVE_FAILURES: z.coerce.number().int().min(1).default(5),
  /** First lockout of an email, in seconds. Each further lockout within a day doubles it. */
  LOGIN_LOCKOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** logIn attempts per client IP address and hour, successful ones included. */
  LOGIN_MAX_ATTEMPTS_PER_IP: z.coerce.number().int().min(1).default(100),
};
