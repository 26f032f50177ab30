import { ConfigError, urlSetting } from '@heartfelt/kit';
import { z } from 'zod';

/** The ai subgraph's own settings, on top of the kit's. */
export const aiSettings = {
  /** The provider that writes message suggestions: `local` (built in, no network) or `openai`. */
  AI_PROVIDER: z.enum(['local', 'openai']).default('local'),
  /** Root of an OpenAI-compatible API, such as https://api.openai.com/v1; only for `openai`. */
  AI_API_BASE_URL: urlSetting().optional(),
  /** Bearer key for that API; only for `openai`. */
  AI_API_KEY: z.string().min(1).optional(),
  /**
   * Model named in chat completion requests; only for `openai`. The default is a model of
   * OpenAI's own API; other compatible services need their own model name here.
   */
  AI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  /** Provider calls per generation before it is marked FAILED. Default 3. */
  AI_GENERATION_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** Wait before the first retry of a generation, in milliseconds; it doubles at each retry. */
  AI_GENERATION_BACKOFF_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** Generation jobs that one ai-worker runs at once. Default 4. */
  AI_GENERATION_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
};

export type AiSettings = z.infer<z.ZodObject<typeof aiSettings>>;

/** The provider settings after the checks that involve several settings. */
export type ProviderSettings =
  { provider: 'local' } | { provider: 'openai'; baseUrl: string; apiKey: string; model: string };

const providerSettingsSchema = z
  .object(aiSettings)
  .superRefine((settings, context) => {
    if (settings.AI_PROVIDER !== 'openai') return;
    if (!settings.AI_API_BASE_URL) {
      context.addIssue({
        code: 'custom',
        path: ['AI_API_BASE_URL'],
        message:
          'is required when AI_PROVIDER=openai: set it to the API root, such as https://api.openai.com/v1',
      });
    }
    if (!settings.AI_API_KEY) {
      context.addIssue({
        code: 'custom',
        path: ['AI_API_KEY'],
        message: 'is required when AI_PROVIDER=openai: set it to the API key of that service',
      });
    }
  })
  .transform((settings): ProviderSettings =>
    settings.AI_PROVIDER === 'openai'
      ? {
          provider: 'openai',
          baseUrl: settings.AI_API_BASE_URL!,
          apiKey: settings.AI_API_KEY!,
          model: settings.AI_MODEL,
        }
      : { provider: 'local' },
  );

/**
 * Checks the rules that span several settings, which the kit's per-setting shape cannot
 * express, and returns the provider settings.
 *
 * @throws ConfigError naming each missing setting, in the kit's format.
 */
export function parseProviderSettings(settings: AiSettings): ProviderSettings {
  const result = providerSettingsSchema.safeParse(settings);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message} (received not set)`,
    ),
  );
}
