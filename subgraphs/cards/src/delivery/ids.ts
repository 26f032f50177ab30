import { randomBytes } from 'node:crypto';
import { jobIdOf, randomToken } from '@heartfelt/kit';

/**
 * Identifiers of deliveries and public card pages. A delivery id names one scheduling of a
 * card: every schedule and reschedule draws a new one, and the delivery job, the `deliveries`
 * record, the email's Message-ID and its outbox file are all derived from it.
 */

const DELIVERY_ID_PATTERN = /^dlv_[a-z2-7]{26}$/;
const USER_ID_PATTERN = /^usr_([a-z2-7]{20})$/;
const PUBLIC_TOKEN_PATTERN = /^([a-z2-7]{20})\.([A-Za-z0-9_-]{22})$/;

/** Creates a delivery id: `dlv_` and 26 random base32 characters (130 bits). */
export function newDeliveryId(): string {
  return `dlv_${randomToken(26)}`;
}

/** Returns true for a well-formed delivery id, which is also safe as a file name. */
export function isDeliveryId(value: unknown): value is string {
  return typeof value === 'string' && DELIVERY_ID_PATTERN.test(value);
}

/** Job id of a card's delivery: one job per (card, delivery id), so a repeated add is one job. */
export function deliveryJobId(cardId: string, deliveryId: string): string {
  return jobIdOf('delivery', cardId, deliveryId);
}

/**
 * Message-ID header of a delivery's email. It is the same on every attempt, so that a receiver
 * that de-duplicates by Message-ID drops a resent copy.
 */
export function messageIdFor(deliveryId: string, domain: string): string {
  return `<${deliveryId}@${domain}>`;
}

/**
 * Creates the token of a card's public page: `<owner>.<random>`, where `<owner>` is the 20
 * characters of the owner's user id and `<random>` is 128 random bits in base64url. The owner
 * part lets the page read the card with its shard key; the random part is what makes the link
 * unguessable.
 */
export function newPublicToken(ownerId: string): string {
  const match = USER_ID_PATTERN.exec(ownerId);
  if (!match) throw new TypeError(`newPublicToken: expected a user id, received ${ownerId}`);
  return `${match[1]}.${randomBytes(16).toString('base64url')}`;
}

/** Returns the owner's user id embedded in a public token, or null for a malformed token. */
export function ownerOfPublicToken(token: string): string | null {
  const match = PUBLIC_TOKEN_PATTERN.exec(token);
  return match ? `usr_${match[1]}` : null;
}
