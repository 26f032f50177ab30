import type { IncomingMessage, ServerResponse } from 'node:http';
import { isId, ownerOf, type Identity, type Logger } from '@heartfelt/kit';
import type { CardStatus } from '../generated/resolvers';
import { enqueueMediaJob, type MediaQueue } from '../jobs/media';
import type { CardRepository } from '../repository/cards';
import type { CardDocument } from '../repository/documents';
import { PhotoFileStore } from '../repository/photoFiles';
import type { PhotoDocument, PhotoRepository } from '../repository/photos';
import { checkDeclaredLength, readLimitedBody } from './body';
import { cardNotFound, PhotoError, PhotoErrorCode, unauthenticatedRequest } from './errors';
import { newPhotoId } from './ids';
import { contentTypeOf, formatOfContentType, inspectPhoto, type PhotoFacts } from './inspect';
import { MAX_PHOTOS_PER_CARD } from './limits';

/** Statuses of a card to which photos may be added: those not yet delivered. */
export const PHOTO_EDITABLE_STATUSES: readonly CardStatus[] = ['DRAFT', 'SCHEDULED'];

/** Time allowed for enqueuing the media job before the upload is undone, in milliseconds. */
const ENQUEUE_TIMEOUT_MS = 10_000;

/** Dependencies of the upload route. */
export interface PhotoUploadDependencies {
  cards: CardRepository;
  photos: PhotoRepository;
  files: PhotoFileStore;
  queue: MediaQueue;
  /** Largest accepted body, in bytes. */
  maxBytes: number;
  logger: Logger;
}

/**
 * Handles `POST /cards/<cardId>/photos`: the body is the image file itself. Checks the caller,
 * the card and the declared type and size before reading the body, then the content itself,
 * and only then stores anything. Responds 202 with the new photo's id and status PROCESSING.
 */
export async function uploadPhoto(
  deps: PhotoUploadDependencies,
  req: IncomingMessage,
  res: ServerResponse,
  identity: Identity,
  cardId: string,
): Promise<void> {
  const { userId } = identity;
  if (userId === null) throw unauthenticatedRequest();
  // The owner is part of the id, so someone else's card is rejected without a query.
  if (!isId('card', cardId) || ownerOf(cardId) !== userId) throw cardNotFound(cardId);
  const declared = formatOfContentType(req.headers['content-type']);
  checkDeclaredLength(req, deps.maxBytes);

  const card = await deps.cards.findOwned(cardId, userId);
  if (!card) throw cardNotFound(cardId);
  checkCardAcceptsPhotos(card);
  if ((await deps.photos.countForCard(userId, cardId)) >= MAX_PHOTOS_PER_CARD) {
    throw limitExceeded(cardId);
  }

  const body = await readLimitedBody(req, deps.maxBytes);
  const facts = await inspectPhoto(body, declared);
  const photo = await storePhoto(deps, card, body, facts);

  const payload = JSON.stringify({ id: photo._id, status: photo.status });
  res.writeHead(202, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(payload)),
    'cache-control': 'no-store',
    location: `/photos/${photo._id}`,
  });
  res.end(payload);
}

function checkCardAcceptsPhotos(card: CardDocument): void {
  if (PHOTO_EDITABLE_STATUSES.includes(card.status)) return;
  throw new PhotoError(
    409,
    PhotoErrorCode.InvalidStatusTransition,
    `Card ${JSON.stringify(card._id)} is ${card.status}: photos can be added only while a ` +
      `card is ${PHOTO_EDITABLE_STATUSES.join(' or ')}.`,
  );
}

function limitExceeded(cardId: string): PhotoError {
  return new PhotoError(
    409,
    PhotoErrorCode.LimitExceeded,
    `Card ${JSON.stringify(cardId)} already has ${MAX_PHOTOS_PER_CARD} photos, the maximum: ` +
      'delete one with deletePhoto before uploading another.',
  );
}

/**
 * Stores a checked photo: the photo document first, as the record of intent, then the
 * original file in GridFS, then the media job. When a later step fails, the steps before it
 * are undone, so a failed upload leaves neither a document nor a file behind.
 *
 * NOTE: a crash of the process between the insert and the enqueue leaves a PROCESSING photo
 * that no job will process. Nothing sweeps such photos yet.
 */
async function storePhoto(
  deps: PhotoUploadDependencies,
  card: CardDocument,
  body: Buffer,
  facts: PhotoFacts,
): Promise<PhotoDocument> {
  const photoId = newPhotoId(card.ownerId);
  const originalFileId = PhotoFileStore.fileIdOf(photoId, 'original');
  const now = new Date();
  const photo: PhotoDocument = {
    _id: photoId,
    ownerId: card.ownerId,
    cardId: card._id,
    status: 'PROCESSING',
    originalFileId,
    fileId: null,
    thumbnailFileId: null,
    contentType: null,
    width: null,
    height: null,
    createdAt: now,
    updatedAt: now,
  };

  await deps.photos.insert(photo);
  try {
    // Concurrent uploads may all pass the count check above. Those that came after the tenth
    // photo in upload order are rejected here.
    const firstIds = await deps.photos.firstIdsOfCard(card.ownerId, card._id, MAX_PHOTOS_PER_CARD);
    if (!firstIds.includes(photoId)) throw limitExceeded(card._id);

    await deps.files.write(originalFileId, body, {
      ownerId: card.ownerId,
      cardId: card._id,
      photoId,
      kind: 'original',
      contentType: contentTypeOf[facts.format],
    });
    await withTimeout(enqueueMediaJob(deps.queue, photoId), ENQUEUE_TIMEOUT_MS);
  } catch (error) {
    await discardPhoto(deps, photo);
    if (error instanceof EnqueueTimeoutError) {
      throw new PhotoError(
        503,
        PhotoErrorCode.DependencyFailed,
        'The photo could not be queued for processing because the job queue is unavailable: ' +
          'try the upload again in a minute.',
      );
    }
    throw error;
  }
  return photo;
}

/**
 * Deletes what an upload stored. If the media job was enqueued after all (a timed-out enqueue
 * that still reached Redis), it finds no document and deletes the files again.
 */
async function discardPhoto(deps: PhotoUploadDependencies, photo: PhotoDocument): Promise<void> {
  try {
    await deps.files.removeAllOf(photo._id);
    await deps.photos.delete(photo._id, photo.ownerId);
  } catch (error) {
    // TODO: nothing retries this clean-up, so a store outage here leaves a PROCESSING photo
    // (and possibly its original file) behind until the owner deletes it.
    deps.logger.error(
      { photoId: photo._id, err: error instanceof Error ? error.message : String(error) },
      'could not delete the parts of a failed photo upload',
    );
  }
}

class EnqueueTimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new EnqueueTimeoutError(`timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
