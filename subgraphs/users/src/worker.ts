import './workerTracing';
import {
  createQueue,
  createQueueRedis,
  createServiceKit,
  QueueName,
  runWorkers,
  workerSettings,
} from '@heartfelt/kit';
import { z } from 'zod';
import { backfillBirthdayMonthDays } from './birthdays/backfillBirthdayMonthDays';
import {
  createBirthdayScanProcessor,
  registerBirthdayScan,
  type BirthdayScanJobData,
  type DraftReminderJobData,
} from './jobs/birthdayScan';
import { ContactRepository } from './repository/contacts';

/** Settings of users-worker on top of the common and worker ones. */
const birthdaySettings = {
  /** When the birthday scan runs: a cron pattern of 5 or 6 fields, in UTC. Default 06:00 daily. */
  BIRTHDAY_SCAN_PATTERN: z
    .string()
    .trim()
    .regex(/^\S+(\s+\S+){4,5}$/, 'must be a cron pattern of 5 or 6 fields')
    .default('0 6 * * *'),
  /** Days, today included, in which a birthday gets a reminder. Default 7. */
  BIRTHDAY_REMINDER_DAYS: z.coerce.number().int().min(1).max(31).default(7),
};

/**
 * users-worker: registers the daily birthday scan, backfills the contacts' birthday key, and runs
 * it, adding one `draft-reminder` job per upcoming birthday for ai-worker.
 */
async function main(): Promise<void> {
  const kit = await createServiceKit('users-worker', 4101, {
    ...workerSettings,
    ...birthdaySettings,
  });
  const { logger, settings } = kit;

  const contacts = new ContactRepository(kit.store.db);
  await contacts.ensureIndexes();

  const connection = createQueueRedis(settings.QUEUE_REDIS_URL, logger);
  const scanQueue = createQueue<BirthdayScanJobData>(QueueName.BirthdayScan, connection);
  const reminderQueue = createQueue<DraftReminderJobData>(QueueName.Reminders, connection);
  kit.onShutdown(async () => {
    await Promise.all([scanQueue.close(), reminderQueue.close()]);
    await connection.quit().catch(() => connection.disconnect());
  });

  await registerBirthdayScan(scanQueue, settings.BIRTHDAY_SCAN_PATTERN);
  logger.info({ pattern: settings.BIRTHDAY_SCAN_PATTERN }, 'birthday scan scheduled (UTC)');

  await runWorkers(kit, [
    {
      queue: QueueName.BirthdayScan,
      processor: createBirthdayScanProcessor({
        contacts,
        reminderQueue,
        windowDays: settings.BIRTHDAY_REMINDER_DAYS,
        logger,
      }),
      // One scan at a time: a second one would only add jobs that already exist.
      concurrency: 1,
    },
  ]);

  // The backfill runs after the worker is ready, because on a large address book it takes
  // longer than a readiness probe waits. A scan that runs meanwhile misses only contacts
  // written before the birthday key existed.
  backfillBirthdayMonthDays({ contacts, cache: kit.cache, logger }).catch((error: unknown) =>
    logger.error(
      { err: error },
      'backfill of birthdayMonthDay failed; it runs again at the next start',
    ),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `users-worker: failed to start: ${(error as Error).stack ?? String(error)}\n`,
  );
  process.exit(1);
});
