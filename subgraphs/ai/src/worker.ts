import './workerTracing';
import { createServiceKit, QueueName, runWorkers, workerSettings } from '@heartfelt/kit';
import { createGenerationProcessor } from './jobs/generationProcessor';
import { createReminderProcessor } from './jobs/reminderProcessor';
import { createConfiguredProvider } from './providerSetup';
import { GenerationRepository } from './repository/generations';
import { ReminderRepository } from './repository/reminders';
import { aiSettings } from './settings';

/**
 * ai-worker: runs message generations queued by `generateMessage`, and drafts the birthday
 * reminders that users-worker's daily scan queues.
 */
async function main(): Promise<void> {
  const kit = await createServiceKit('ai-worker', 4104, { ...workerSettings, ...aiSettings });
  const provider = await createConfiguredProvider(kit, kit.settings);

  const generations = new GenerationRepository(kit.store.db);
  const reminders = new ReminderRepository(kit.store.db);
  await generations.ensureIndexes();
  await reminders.ensureIndexes();

  await runWorkers(kit, [
    {
      queue: QueueName.Generation,
      processor: createGenerationProcessor({
        generations,
        provider,
        cache: kit.cache,
        logger: kit.logger,
      }),
      concurrency: kit.settings.AI_GENERATION_CONCURRENCY,
    },
    {
      queue: QueueName.Reminders,
      processor: createReminderProcessor({ reminders, logger: kit.logger }),
    },
  ]);
}

main().catch((error: unknown) => {
  process.stderr.write(`ai-worker: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
