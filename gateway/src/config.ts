import { resolve } from 'node:path';
import { loadConfig, portSetting, secretSetting } from '@heartfelt/kit';
import { z } from 'zod';
import { limitSettings } from './limits/settings';

const optionalUrl = () => z.url({ protocol: /^https?$/ }).optional();

/** Gateway settings, read once at start-up. */
export const gatewaySettings = {
  PORT: portSetting(4000),
  HOST: z.string().default('127.0.0.1'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** Path of the composed supergraph SDL; reloaded when the file changes. */
  SUPERGRAPH_PATH: z
    .string()
    .default(resolve(__dirname, '..', '..', 'schema', 'supergraph.graphql')),
  /** How often the supergraph file is checked for changes, in milliseconds; 0 turns it off. */
  SUPERGRAPH_POLL_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),
  /** Verifies the access tokens that the users subgraph issues. */
  JWT_SECRET: secretSetting(),
  /** Signs the identity sent with every subgraph request. */
  SUBGRAPH_SIGNING_SECRET: secretSetting(),
  /**
   * Bearer token of the operator view of the queues (/admin/queues). When unset, or when
   * QUEUE_REDIS_URL is unset, that view does not exist.
   */
  ADMIN_TOKEN: secretSetting().optional(),
  /** The queue Redis that the operator view of the queues reads. */
  QUEUE_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /**
   * The cache Redis, where whole query responses are cached. When unset there is no response
   * cache, and the Cache-Control header is still computed.
   */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** Turns the response cache off when "false"; it is on by default when REDIS_URL is set. */
  RESPONSE_CACHE_ENABLED: z.enum(['true', 'false']).default('true'),
  /** Subgraph URLs; each replaces the routing URL the supergraph names for that subgraph. */
  USERS_URL: optionalUrl(),
  CARDS_URL: optionalUrl(),
  TEMPLATES_URL: optionalUrl(),
  AI_URL: optionalUrl(),
  PAYMENTS_URL: optionalUrl(),
  /** Serves the GraphiQL explorer on GET / and to browsers on GET /graphql. */
  EXPLORER_ENABLED: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => (value === undefined ? undefined : value === 'true')),
  /** Largest accepted request body, in bytes. */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .default(1024 * 1024),
  /** Deepest accepted selection nesting; deeper operations are rejected before planning. */
  MAX_DEPTH: z.coerce.number().int().min(1).default(10),
  /** Most aliases accepted in one operation. */
  MAX_ALIASES: z.coerce.number().int().min(0).default(15),
  /** Most directives accepted in one operation. */
  MAX_DIRECTIVES: z.coerce.number().int().min(0).default(10),
  /** Most lexical tokens accepted in one operation document. */
  MAX_TOKENS: z.coerce.number().int().min(1).default(2000),
  /**
   * Highest accepted operation cost, as graphql-armor counts it (objects 2, scalars 1, each
   * level of nesting multiplying by 1.5, `first` multiplying its field), with page sizes given
   * as variables counted too. The Dashboard operation costs 3331 with its default first of 20
   * and 15699 with the largest page, 100.
   */
  MAX_COST: z.coerce.number().int().min(1).default(20_000),
  /**
   * How long the gateway caches a partner key's record in the cache Redis, in seconds. Revoking
   * a key clears its entry; when that fails, the key keeps working for at most this long.
   */
  PARTNER_KEY_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** The safelist manifest that `npm run codegen` generates from schema/operations/. */
  PERSISTED_OPERATIONS_PATH: z
    .string()
    .default(resolve(__dirname, '..', '..', 'schema', 'persisted-operations.json')),
  /** How long an automatic persisted query stays registered in the cache Redis, in seconds. */
  APQ_TTL_SECONDS: z.coerce.number().int().min(60).max(604800).default(86400),
  /** Open keep-alive connections per subgraph. */
  SUBGRAPH_CONNECTIONS: z.coerce.number().int().min(1).max(1024).default(64),
  ...limitSettings,
};

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(gatewaySettings, env);
  return {
    ...config,
    // The explorer is a development tool: on unless production, where it is off unless asked.
    EXPLORER_ENABLED: config.EXPLORER_ENABLED ?? config.NODE_ENV !== 'production',
    responseCacheRedisUrl: config.RESPONSE_CACHE_ENABLED === 'true' ? config.REDIS_URL : undefined,
    subgraphUrls: {
      users: config.USERS_URL,
      cards: config.CARDS_URL,
      templates: config.TEMPLATES_URL,
      ai: config.AI_URL,
      payments: config.PAYMENTS_URL,
    } as Record<string, string | undefined>,
  };
}
