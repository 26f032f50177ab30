import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Identity, Logger } from '@heartfelt/kit';
import type { PhotoFileStore } from '../repository/photoFiles';
import type { PhotoDocument, PhotoRepository } from '../repository/photos';
import { PhotoError, PhotoErrorCode, photoNotFound, unauthenticatedRequest } from './errors';
import { isPhotoId, photoOwnerOf } from './ids';
import { PHOTO_CACHE_MAX_AGE_SECONDS } from './limits';

/** The two served sizes of a photo. */
export type PhotoVariant = 'photo' | 'thumbnail';

/** Dependencies of the photo download routes. */
export interface PhotoServeDependencies {
  photos: PhotoRepository;
  files: PhotoFileStore;
  logger: Logger;
}

/**
 * Handles `GET /photos/<photoId>` and `GET /photos/<photoId>/thumbnail` (and HEAD) for the
 * photo's owner. Anyone else gets the same 404 as for a photo that does not exist.
 */
export async function servePhoto(
  deps: PhotoServeDependencies,
  req: IncomingMessage,
  res: ServerResponse,
  identity: Identity,
  photoId: string,
  variant: PhotoVariant,
): Promise<void> {
  const { userId } = identity;
  if (userId === null) throw unauthenticatedRequest();
  if (!isPhotoId(photoId) || photoOwnerOf(photoId) !== userId) throw photoNotFound(photoId);
  const photo = await deps.photos.findOwned(photoId, userId);
  if (!photo) throw photoNotFound(photoId);
  await sendPhotoFile(deps, req, res, photo, variant);
}

/**
 * Streams one size of a READY photo from GridFS, or responds 304 when the client's copy
 * (If-None-Match) is current. Checks no access: the caller has decided that the requester may
 * see `photo`. Raises PHOTO_NOT_READY (409) while the photo is not READY.
 *
 * A recipient's card page can serve the card's photos with this function, after resolving the
 * card from its page token and listing its photos with {@link listReadyPhotos}.
 */
export async function sendPhotoFile(
  deps: PhotoServeDependencies,
  req: IncomingMessage,
  res: ServerResponse,
  photo: PhotoDocument,
  variant: PhotoVariant,
): Promise<void> {
  const fileId = variant === 'thumbnail' ? photo.thumbnailFileId : photo.fileId;
  if (photo.status !== 'READY' || fileId === null) {
    throw new PhotoError(
      409,
      PhotoErrorCode.PhotoNotReady,
      `Photo ${JSON.stringify(photo._id)} is ${photo.status}; it can be downloaded once its ` +
        'status is READY.',
    );
  }
  const file = await deps.files.find(fileId);
  if (!file) {
    deps.logger.error({ photoId: photo._id, fileId }, 'READY photo has no file in GridFS');
    throw photoNotFound(photo._id);
  }

  // A READY photo's files never change, so their upload time identifies the content.
  const etag = `"${fileId}.${file.uploadDate.getTime()}"`;
  const headers = {
    'cache-control': `private, max-age=${PHOTO_CACHE_MAX_AGE_SECONDS}`,
    etag,
    'x-content-type-options': 'nosniff',
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, {
    ...headers,
    'content-type': file.contentType,
    'content-length': String(file.length),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(deps.files.openDownloadStream(fileId), res);
}

/**
 * Lists a card's READY photos, oldest first, with no access check: for pages that show a card
 * to someone other than its owner, such as the recipient's page.
 */
export async function listReadyPhotos(
  photos: PhotoRepository,
  cardId: string,
): Promise<PhotoDocument[]> {
  const all = await photos.findByCardIds([cardId]);
  return all.filter((photo) => photo.status === 'READY');
}
