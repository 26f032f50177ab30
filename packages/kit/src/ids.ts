import { randomBytes } from 'node:crypto';

/**
 * Entity ids. A user id is `usr_` and 20 base32 characters. Every record owned by a user
 * (contact, card, order, generation) embeds its owner's 20 characters:
 * `<prefix>_<owner>_<random>`. Collections are sharded on the owner's user id, so a lookup by
 * entity id alone, such as a gateway `_entities` fetch, still names its shard key.
 */
export const idPrefixes = {
  user: 'usr',
  contact: 'ctc',
  card: 'crd',
  order: 'ord',
  generation: 'gen',
  template: 'tpl',
} as const;

export type IdKind = keyof typeof idPrefixes;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const OWNER_LENGTH = 20;
const RANDOM_LENGTH = 12;

/** Returns `length` random base32 characters; `random` allows a seeded source for demo data. */
export function randomToken(length: number, random: () => number = secureRandom): string {
  let token = '';
  for (let index = 0; index < length; index++) {
    token += ALPHABET[Math.floor(random() * ALPHABET.length)];
  }
  return token;
}

function secureRandom(): number {
  return randomBytes(4).readUInt32BE(0) / 0x1_0000_0000;
}

export function newUserId(random?: () => number): string {
  return `${idPrefixes.user}_${randomToken(OWNER_LENGTH, random)}`;
}

export function newTemplateId(random?: () => number): string {
  return `${idPrefixes.template}_${randomToken(OWNER_LENGTH, random)}`;
}

/** Creates an id for a record owned by `userId`, embedding the owner's part of that id. */
export function newOwnedId(
  kind: Exclude<IdKind, 'user' | 'template'>,
  userId: string,
  random?: () => number,
): string {
  return `${idPrefixes[kind]}_${ownerPart(userId)}_${randomToken(RANDOM_LENGTH, random)}`;
}

function ownerPart(userId: string): string {
  const match = userIdPattern.exec(userId);
  if (!match) throw new TypeError(`newOwnedId: expected a user id, received ${userId}`);
  return match[1]!;
}

const userIdPattern = /^usr_([a-z2-7]{20})$/;
const templateIdPattern = /^tpl_[a-z2-7]{20}$/;
const ownedIdPattern = /^(ctc|crd|ord|gen)_([a-z2-7]{20})_[a-z2-7]{12}$/;

/** Returns true when `id` is a well-formed id of the given kind. */
export function isId(kind: IdKind, id: unknown): id is string {
  if (typeof id !== 'string') return false;
  if (kind === 'user') return userIdPattern.test(id);
  if (kind === 'template') return templateIdPattern.test(id);
  const match = ownedIdPattern.exec(id);
  return match !== null && match[1] === idPrefixes[kind];
}

/** Returns the user id embedded in an owned id (the shard key), or null if malformed. */
export function ownerOf(id: string): string | null {
  const match = ownedIdPattern.exec(id);
  return match ? `${idPrefixes.user}_${match[2]}` : null;
}
