import { isCalendarDate, isId, ownerOf, type Logger } from '@heartfelt/kit';
import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import {
  MAX_RECIPIENT_NAME_LENGTH,
  MAX_RELATIONSHIP_LENGTH,
} from '../generation/parseGenerationInput';
import { LocalMessageProvider } from '../providers/localMessageProvider';
import { draftSeedOf, reminderIdOf } from '../reminders/reminderId';
import type { ReminderRepository } from '../repository/reminders';

/**
 * Data of a `draft-reminder` job, as users-worker's birthday scan adds it to the `reminders`
 * queue. It carries the contact's name and relationship, because ai does not read contacts.
 */
const reminderJobData = z
  .object({
    userId: z.string().refine((id) => isId('user', id), 'must be a user id'),
    contactId: z.string().refine((id) => isId('contact', id), 'must be a contact id'),
    contactName: z.string().trim().min(1).max(MAX_RECIPIENT_NAME_LENGTH),
    relationship: z.string().trim().min(1).max(MAX_RELATIONSHIP_LENGTH),
    date: z.string().refine(isCalendarDate, 'must be a YYYY-MM-DD date'),
  })
  .refine((data) => ownerOf(data.contactId) === data.userId, {
    message: 'contactId must belong to userId',
    path: ['contactId'],
  });

/**
 * Creates the processor of `draft-reminder` jobs: it drafts a warm birthday message for the
 * contact with the built-in local provider and stores the reminder once. The reminder id and the
 * draft's seed are derived from (user, contact, date), so a retried or repeated job finds the
 * stored reminder and changes nothing.
 */
export function createReminderProcessor(dependencies: {
  reminders: ReminderRepository;
  logger: Logger;
}) {
  const { reminders, logger } = dependencies;
  // Drafts use the local provider regardless of AI_PROVIDER, because one is made for every
  // upcoming birthday, most are never read, and the local provider needs no network call.
  const drafter = new LocalMessageProvider();

  return async (job: Job): Promise<void> => {
    const parsed = reminderJobData.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(`invalid draft-reminder job data: ${parsed.error.message}`);
    }
    const { userId, contactId, contactName, relationship, date } = parsed.data;
    const reminderId = reminderIdOf(userId, contactId, date);

    const [draft] = await drafter.generate({
      occasion: 'BIRTHDAY',
      tone: 'WARM',
      recipientName: contactName,
      relationship,
      details: null,
      seed: draftSeedOf(reminderId),
    });
    if (draft === undefined) throw new Error('the local message provider returned no suggestion');
    const created = await reminders.insertIfAbsent({
      _id: reminderId,
      ownerId: userId,
      contactId,
      contactName,
      date,
      draft,
      createdAt: new Date(),
    });
    logger.debug({ jobId: job.id, reminderId, created }, 'reminder drafted');
  };
}
