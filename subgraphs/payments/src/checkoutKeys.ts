import { createHash } from 'node:crypto';
import { isId } from '@heartfelt/kit';

/** RFC 4648 base32 in lower case, the alphabet of every id in the graph. */
const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Length of the last part of an owned id, as the kit's id pattern requires. */
const ORDER_SUFFIX_LENGTH = 12;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Encodes bytes as lower-case base32 without padding. */
function toBase32(bytes: Buffer): string {
  let output = '';
  let buffer = 0;
  let bitCount = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bitCount += 8;
    while (bitCount >= 5) {
      bitCount -= 5;
      output += BASE32_ALPHABET[(buffer >>> bitCount) & 31];
    }
    // Only the lowest `bitCount` bits are still needed; dropping the rest keeps `buffer` small.
    buffer &= (1 << bitCount) - 1;
  }
  if (bitCount > 0) output += BASE32_ALPHABET[(buffer << (5 - bitCount)) & 31];
  return output;
}

/**
 * Derives the order id of a checkout from its owner and idempotency key:
 * `ord_<owner part>_<first 12 base32 characters of sha256(userId:idempotencyKey)>`. Two
 * checkouts with one key get the same `_id`, so the store's unique `_id` lets only one insert.
 * The owner part keeps the id on the owner's shard, like every owned id.
 */
export function orderIdFor(userId: string, idempotencyKey: string): string {
  if (!isId('user', userId)) {
    throw new TypeError(`orderIdFor: expected a user id, received ${userId}`);
  }
  const ownerPart = userId.slice('usr_'.length);
  const digest = toBase32(sha256(`${userId}:${idempotencyKey}`));
  return `ord_${ownerPart}_${digest.slice(0, ORDER_SUFFIX_LENGTH)}`;
}

/**
 * Hashes the input a checkout charges for (card and payment token), hex-encoded, so that a key
 * sent again with different input is detected without storing the token. A card id never
 * contains ":", so the joined text is unambiguous.
 */
export function checkoutRequestHash(cardId: string, paymentToken: string): string {
  return sha256(`${cardId}:${paymentToken}`).toString('hex');
}
