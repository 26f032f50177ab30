import { jobIdOf, type Logger } from '@heartfelt/kit';
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { z } from 'zod';
import { upcomingBirthdays } from '../birthdays/upcomingBirthdays';
import type { ContactRepository } from '../repository/contacts';

/** Id of the job scheduler that adds the daily scan job, and the name of those jobs. */
export const BIRTHDAY_SCAN = 'birthday-scan';

/** Name of the jobs that the scan adds to the `reminders` queue. */
export const DRAFT_REMINDER = 'draft-reminder';

/** Contacts read, and reminder jobs added, per step of a scan. */
const SCAN_BATCH_SIZE = 500;

/**
 * Data of a scan job. Scheduled jobs have none. A `now` (an ISO-8601 instant) replaces the current
 * time, so that an operator can re-run the scan of a missed day and tests can use a fixed date.
 */
const scanJobData = z.object({ now: z.iso.datetime({ offset: true }).optional() });

export type BirthdayScanJobData = z.infer<typeof scanJobData>;

/**
 * Data of a `draft-reminder` job on the `reminders` queue, which ai-worker consumes: the contact
 * fields that the draft needs, because ai does not read the users subgraph's collections.
 */
export interface DraftReminderJobData {
  userId: string;
  contactId: string;
  contactName: string;
  relationship: string;
  /** YYYY-MM-DD: the day the birthday is celebrated. */
  date: string;
}

/**
 * Registers the job scheduler that adds a scan job on `pattern` (cron, UTC). Upserting by a
 * fixed scheduler id is idempotent, so every start of every users-worker can call it and the
 * queue still contains one scheduler, updated to the latest pattern.
 */
export async function registerBirthdayScan(
  queue: Queue<BirthdayScanJobData>,
  pattern: string,
): Promise<void> {
  await queue.upsertJobScheduler(
    BIRTHDAY_SCAN,
    { pattern, tz: 'UTC' },
    { name: BIRTHDAY_SCAN, data: {} },
  );
}

/**
 * Adds a `draft-reminder` job for each contact whose birthday falls in the `windowDays` days
 * from `now`, reading contacts in batches. Job ids are derived from the contact and the date, so
 * a repeated or overlapping scan adds no second job while the first is kept in the queue.
 * Returns the number of jobs requested.
 */
export async function scanBirthdays(options: {
  contacts: ContactRepository;
  reminderQueue: Queue<DraftReminderJobData>;
  now: Date;
  windowDays: number;
}): Promise<number> {
  const { contacts, reminderQueue, now, windowDays } = options;
  let requested = 0;

  for (const { monthDay, date } of upcomingBirthdays(now, windowDays)) {
    let afterId: string | null = null;
    for (;;) {
      const batch = await contacts.findBirthdayBatch(monthDay, afterId, SCAN_BATCH_SIZE);
      if (batch.length === 0) break;

      await reminderQueue.addBulk(
        batch.map((contact) => ({
          name: DRAFT_REMINDER,
          data: {
            userId: contact.userId,
            contactId: contact._id,
            contactName: contact.name,
            relationship: contact.relationship,
            date,
          },
          opts: { jobId: jobIdOf('reminder', contact._id, date) },
        })),
      );
      requested += batch.length;

      afterId = batch[batch.length - 1]!._id;
      if (batch.length < SCAN_BATCH_SIZE) break;
    }
  }
  return requested;
}

/** Creates the processor of `birthday-scan` jobs. */
export function createBirthdayScanProcessor(options: {
  contacts: ContactRepository;
  reminderQueue: Queue<DraftReminderJobData>;
  windowDays: number;
  logger: Logger;
}) {
  return async (job: Job): Promise<{ reminderJobs: number }> => {
    const parsed = scanJobData.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(`invalid birthday-scan job data: ${parsed.error.message}`);
    }
    const now = parsed.data.now ? new Date(parsed.data.now) : new Date();
    const reminderJobs = await scanBirthdays({ ...options, now });
    options.logger.info(
      { jobId: job.id, date: now.toISOString().slice(0, 10), reminderJobs },
      'birthday scan finished',
    );
    return { reminderJobs };
  };
}
