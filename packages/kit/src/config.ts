import { z } from 'zod';

/** Raised at start-up when settings are missing or invalid; lists every bad setting at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates environment settings against a zod object schema once, at start-up. The message
 * names each setting, the rule it broke and the value received (secrets are not echoed).
 */
export function loadConfig<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<Shape>> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;

  const problems = result.error.issues.map((issue) => {
    const setting = issue.path.join('.');
    const raw = env[setting];
    const shown =
      raw === undefined
        ? 'not set'
        : /SECRET|PASSWORD|KEY|TOKEN/.test(setting)
          ? 'hidden'
          : `"${raw}"`;
    return `${setting}: ${issue.message} (received ${shown})`;
  });
  throw new ConfigError(problems);
}

/** A TCP port number given as a string. */
export const portSetting = (defaultPort: number) =>
  z.coerce.number().int().min(0).max(65535).default(defaultPort);

/** An absolute http(s) URL. */
export const urlSetting = () => z.url({ protocol: /^https?$/ });

/** A shared secret long enough for HMAC-SHA256. */
export const secretSetting = () =>
  z.string().min(32, 'must be at least 32 characters (generate one with: openssl rand -hex 32)');

/** Settings every subgraph reads, with their defaults for local development. */
export const serviceSettings = (defaultPort: number) => ({
  PORT: portSetting(defaultPort),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URL')
    .default('mongodb://127.0.0.1:27018/'),
  MONGO_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,60}$/)
    .default('heartfelt'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6380'),
  SUBGRAPH_SIGNING_SECRET: secretSetting(),
  /** Entity cache entry lifetime in seconds; 0 turns the entity cache off. */
  ENTITY_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(86400).default(300),
});
