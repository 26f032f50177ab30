import './tracing';
import { join } from 'node:path';
import {
  createQueue,
  createQueueRedis,
  createServiceKit,
  loadTypeDefs,
  QueueName,
  startSubgraph,
  workerSettings,
} from '@heartfelt/kit';
import { MessageAnalysisCache } from './analysis/analysisCache';
import type { Context } from './context';
import { GenerationJobProducer, type GenerationJobData } from './jobs/generationJobs';
import { createLoaders } from './loaders';
import { createConfiguredProvider } from './providerSetup';
import { GenerationRepository } from './repository/generations';
import { ReminderRepository } from './repository/reminders';
import { resolvers } from './resolvers';
import { aiSettings } from './settings';

/** Lifetime of a cached message analysis, in seconds: one day. */
const ANALYSIS_CACHE_TTL_SECONDS = 24 * 60 * 60;

const settings = { ...aiSettings, ...workerSettings };

async function main(): Promise<void> {
  const kit = await createServiceKit('ai', 4004, settings);
  // The subgraph only records the provider's name; ai-worker calls it. Checking the provider
  // settings here too makes a misconfiguration fail at start in both processes.
  const provider = await createConfiguredProvider(kit, kit.settings);

  const generations = new GenerationRepository(kit.store.db);
  const reminders = new ReminderRepository(kit.store.db);
  await generations.ensureIndexes();
  await reminders.ensureIndexes();
  const analysisCache = new MessageAnalysisCache(
    kit.redis,
    kit.metrics,
    ANALYSIS_CACHE_TTL_SECONDS,
  );

  const queueConnection = createQueueRedis(kit.settings.QUEUE_REDIS_URL, kit.logger);
  const generationQueue = createQueue<GenerationJobData>(QueueName.Generation, queueConnection);
  kit.onShutdown(async () => {
    await generationQueue.close();
    await queueConnection.quit().catch(() => queueConnection.disconnect());
  });
  const generationJobs = new GenerationJobProducer(generationQueue, queueConnection, {
    attempts: kit.settings.AI_GENERATION_ATTEMPTS,
    backoffMs: kit.settings.AI_GENERATION_BACKOFF_MS,
  });

  await startSubgraph<Context, typeof settings>(kit, {
    typeDefs: loadTypeDefs(join(__dirname, '..', 'src', 'schema.graphql')),
    resolvers,
    context: (base) => ({
      ...base,
      generations,
      generationJobs,
      providerName: provider.name,
      cache: kit.cache,
      loaders: createLoaders({
        generations,
        reminders,
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
