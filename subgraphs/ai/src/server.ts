import { join } from 'node:path';
import { ConfigError, createServiceKit, loadTypeDefs, startSubgraph } from '@heartfelt/kit';
import { MessageAnalysisCache } from './analysis/analysisCache';
import type { Context } from './context';
import { createLoaders } from './loaders';
import { createMessageProvider } from './providers/createMessageProvider';
import { GenerationRepository } from './repository/generations';
import { resolvers } from './resolvers';
import { aiSettings, parseProviderSettings, type ProviderSettings } from './settings';

/** Lifetime of a cached message analysis, in seconds: one day. */
const ANALYSIS_CACHE_TTL_SECONDS = 24 * 60 * 60;

async function main(): Promise<void> {
  const kit = await createServiceKit('ai', 4004, aiSettings);

  let providerSettings: ProviderSettings;
  try {
    providerSettings = parseProviderSettings(kit.settings);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`ai: ${error.message}\n`);
    await kit.runShutdown();
    process.exit(78);
  }
  const provider = createMessageProvider(providerSettings);
  kit.logger.info({ provider: provider.name }, 'message provider chosen');

  const generations = new GenerationRepository(kit.store.db);
  await generations.ensureIndexes();
  const analysisCache = new MessageAnalysisCache(
    kit.redis,
    kit.metrics,
    ANALYSIS_CACHE_TTL_SECONDS,
  );

  await startSubgraph<Context, typeof aiSettings>(kit, {
    typeDefs: loadTypeDefs(join(__dirname, '..', 'src', 'schema.graphql')),
    resolvers,
    context: (base) => ({
      ...base,
      generations,
      provider,
      cache: kit.cache,
      loaders: createLoaders({
        generations,
        analysisCache,
        metrics: kit.metrics,
        cache: kit.cache,
      }),
    }),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`ai: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
