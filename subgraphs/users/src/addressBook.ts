import { newOwnedId, notFound, unauthenticated } from '@heartfelt/kit';
import { birthdayMonthDayOf } from './birthdays/upcomingBirthdays';
import type { Context } from './context';
import { contactLimitExceeded } from './errors';
import type { AddContactInput } from './generated/resolvers';
import { parseAddContactInput } from './inputs';
import { CONTACT_ENTITY } from './loaders';
import type { ContactDocument } from './repository/documents';

/** Maximum contacts in one user's address book. */
export const MAX_CONTACTS_PER_USER = 500;

/**
 * Adds a contact to the signed-in user's address book. A slot under the maximum is reserved on
 * the user first and given back when the contact insert fails.
 */
export async function addContact(
  input: AddContactInput,
  context: Context,
): Promise<ContactDocument> {
  const userId = context.identity.userId;
  if (userId === null) throw unauthenticated();
  const now = new Date();
  const fields = parseAddContactInput(input, now);

  if (!(await context.users.reserveContactSlot(userId, MAX_CONTACTS_PER_USER))) {
    // The reservation matches nothing for an unknown user too, so tell the two cases apart.
    if (!(await context.users.exists(userId))) throw notFound('User', userId);
    throw contactLimitExceeded(MAX_CONTACTS_PER_USER);
  }

  const contact: ContactDocument = {
    _id: newOwnedId('contact', userId),
    userId,
    ...fields,
    birthdayMonthDay: fields.birthday === null ? null : birthdayMonthDayOf(fields.birthday),
    createdAt: now,
  };
  try {
    await context.contacts.insert(contact);
  } catch (error) {
    await context.users.releaseContactSlot(userId).catch((releaseError: unknown) => {
      context.logger.error(
        { err: releaseError, userId },
        'failed to release a contact slot after a failed insert; the user has one slot fewer',
      );
    });
    throw error;
  }

  // The id is new, so this drops nothing today, but every write invalidates what it wrote. The
  // cached user contains no contact counter, so it stays valid.
  await context.cache.invalidate(CONTACT_ENTITY, [contact._id]);
  return contact;
}
