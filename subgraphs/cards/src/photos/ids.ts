import { isId, randomToken } from '@heartfelt/kit';

/**
 * Photo ids follow the kit's owned-id format with the prefix `pho`:
 * `pho_<owner's 20 characters>_<12 random characters>`, all base32. The embedded owner is the
 * shard key of `photos`, so a photo is found by id alone. The kit's id helpers do not know this
 * kind, so it is handled here.
 */
const photoIdPattern = /^pho_([a-z2-7]{20})_[a-z2-7]{12}$/;

/** Creates a new photo id owned by `userId`. */
export function newPhotoId(userId: string): string {
  if (!isId('user', userId)) {
    throw new TypeError(`newPhotoId: expected a user id, received ${userId}`);
  }
  return `pho_${userId.slice('usr_'.length)}_${randomToken(12)}`;
}

/** Returns true when `id` is a well-formed photo id. */
export function isPhotoId(id: unknown): id is string {
  return typeof id === 'string' && photoIdPattern.test(id);
}

/** Returns the user id embedded in a photo id, or null when the id is malformed. */
export function photoOwnerOf(id: string): string | null {
  const match = photoIdPattern.exec(id);
  return match ? `usr_${match[1]}` : null;
}
