import { createHash } from 'node:crypto';
import { isId } from '@heartfelt/kit';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const HASH_LENGTH = 12;

/**
 * Derives the id of the reminder of one contact's birthday on one date: `rem_<owner>_<hash>`.
 * Like in owned ids, `<owner>` is the 20 characters of the user id. `<hash>` is 12 base32
 * characters of SHA-256 over the contact id and the date. The same reminder therefore always
 * gets the same id, which the unique `_id` index turns into insert-once.
 */
export function reminderIdOf(userId: string, contactId: string, date: string): string {
  if (!isId('user', userId))
    throw new TypeError(`reminderIdOf: expected a user id, received ${userId}`);
  const digest = createHash('sha256').update(`${contactId}\n${date}`).digest();
  let hash = '';
  // 256 is a multiple of 32, so each byte modulo 32 is a uniform base32 digit.
  for (let index = 0; index < HASH_LENGTH; index++) hash += ALPHABET[digest[index]! % 32];
  return `rem_${userId.slice('usr_'.length)}_${hash}`;
}

/** Derives the generator seed of a reminder's draft from its id: a non-negative 31-bit integer. */
export function draftSeedOf(reminderId: string): number {
  return createHash('sha256').update(reminderId).digest().readUInt32BE(0) & 0x7fff_ffff;
}
