import type { EntityCache, Logger } from '@heartfelt/kit';
import { CONTACT_ENTITY } from '../loaders';
import type { ContactRepository } from '../repository/contacts';
import { birthdayMonthDayOf } from './upcomingBirthdays';

/** Contacts read and updated per step of the backfill. */
const BACKFILL_BATCH_SIZE = 500;

/**
 * Stores `birthdayMonthDay` on every contact that has a birthday but not that field, in batches
 * in `_id` order, so memory stays bounded and the loop ends after one pass. Safe to run at every
 * start and from several processes at once: each update sets the same value. Returns the number
 * of contacts updated.
 */
export async function backfillBirthdayMonthDays(options: {
  contacts: ContactRepository;
  cache: EntityCache;
  logger: Logger;
}): Promise<number> {
  const { contacts, cache, logger } = options;
  let afterId: string | null = null;
  let updated = 0;

  for (;;) {
    const batch = await contacts.findMissingBirthdayMonthDay(afterId, BACKFILL_BATCH_SIZE);
    if (batch.length === 0) break;

    const updates = batch.flatMap(({ _id, userId, birthday }) =>
      birthday ? [{ _id, userId, birthdayMonthDay: birthdayMonthDayOf(birthday) }] : [],
    );
    await contacts.setBirthdayMonthDays(updates);
    await cache.invalidate(
      CONTACT_ENTITY,
      updates.map(({ _id }) => _id),
    );
    updated += updates.length;

    afterId = batch[batch.length - 1]!._id;
    if (batch.length < BACKFILL_BATCH_SIZE) break;
  }

  if (updated > 0) logger.info({ contacts: updated }, 'backfilled birthdayMonthDay on contacts');
  return updated;
}
