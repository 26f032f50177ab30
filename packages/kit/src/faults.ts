import { z } from 'zod';
import { ConfigError } from './config';

const RESOLVER_DELAY_ENTRY = /^([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)=(\d{1,5})$/;

/** Most delay a fault may add to one resolver call, in milliseconds. */
const MAX_RESOLVER_DELAY_MS = 10_000;

/**
 * Fault-injection settings, for tests and demonstrations only: every one is rejected when
 * NODE_ENV is `production`.
 */
export const faultSettings = {
  /**
   * Delays resolvers, as `<Type>.<field>=<milliseconds>` entries separated by commas, such as
   * `Template.title=250`. The delay runs before the resolver, on every call. Unset: no delay.
   */
  FAULT_RESOLVER_DELAY_MS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const delays = new Map<string, number>();
      if (value === undefined || value.trim() === '') return delays;
      for (const entry of value.split(',').map((part) => part.trim())) {
        const match = RESOLVER_DELAY_ENTRY.exec(entry);
        const delayMs = match ? Number(match[2]) : NaN;
        if (!match || delayMs > MAX_RESOLVER_DELAY_MS) {
          ctx.addIssue({
            code: 'custom',
            message: `entry "${entry}" must be <Type>.<field>=<milliseconds up to ${MAX_RESOLVER_DELAY_MS}>`,
          });
          return z.NEVER;
        }
        delays.set(match[1]!, delayMs);
      }
      return delays;
    }),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
};

/** Parsed fault settings. */
export interface Faults {
  /** Delay in milliseconds by resolver, `<Type>.<field>`. */
  resolverDelaysMs: ReadonlyMap<string, number>;
}

/** Turns parsed settings into faults; raises a ConfigError for any fault in production. */
export function faultsFrom(settings: {
  FAULT_RESOLVER_DELAY_MS: Map<string, number>;
  NODE_ENV: string;
}): Faults {
  if (settings.NODE_ENV === 'production' && settings.FAULT_RESOLVER_DELAY_MS.size > 0) {
    throw new ConfigError([
      'FAULT_RESOLVER_DELAY_MS: must not be set when NODE_ENV is production, because fault injection is for tests only (received a value)',
    ]);
  }
  return { resolverDelaysMs: settings.FAULT_RESOLVER_DELAY_MS };
}
