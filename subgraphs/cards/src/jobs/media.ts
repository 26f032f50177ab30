import { jobIdOf, QueueName, type Logger, type WorkerDefinition } from '@heartfelt/kit';
import { photoOwnerOf } from '../photos/ids';
import { renderPhoto, type RenderedPhoto } from '../photos/render';
import { PhotoFileStore, type PhotoFileKind } from '../repository/photoFiles';
import type { PhotoDocument, PhotoRepository } from '../repository/photos';

/** Data of a `media` job: the photo to process. Its owner is part of the id. */
export interface MediaJobData {
  photoId: string;
}

/** The part of a BullMQ queue that producers of media jobs use. */
export interface MediaQueue {
  add(name: string, data: MediaJobData, options: { jobId: string }): Promise<unknown>;
}

export const MEDIA_JOB_NAME = 'process-photo';

/**
 * Enqueues the processing of a photo. The job id is derived from the photo id, so enqueuing
 * the same photo twice makes one job.
 */
export async function enqueueMediaJob(queue: MediaQueue, photoId: string): Promise<void> {
  await queue.add(MEDIA_JOB_NAME, { photoId }, { jobId: jobIdOf('media', photoId) });
}

/** Dependencies of the media job. */
export interface MediaJobDependencies {
  photos: PhotoRepository;
  files: PhotoFileStore;
  logger: Logger;
}

/** Outcome of a media job for its photo. */
export type MediaJobOutcome = 'ready' | 'already-ready' | 'photo-deleted' | 'failed';

/** Defines the `media` queue's worker for the cards worker process. */
export function mediaWorker(deps: MediaJobDependencies): WorkerDefinition<MediaJobData> {
  return {
    queue: QueueName.Media,
    // libvips runs several threads per image already, so two photos at a time fill the CPUs.
    concurrency: 2,
    async processor(job) {
      const { photoId } = job.data;
      const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      try {
        const outcome = await processPhoto(deps, photoId);
        deps.logger.info({ jobId: job.id, photoId, outcome }, 'media job finished');
        return outcome;
      } catch (error) {
        // BullMQ retries the job with backoff; only the last attempt gives the photo up.
        if (isLastAttempt) await giveUp(deps, photoId, error);
        throw error;
      }
    },
  };
}

/**
 * Processes one photo: reads its original from GridFS, renders the resized photo and the
 * thumbnail without metadata, stores both, marks the photo READY and deletes the original.
 * Safe to run again after a crash at any step: files are written under ids derived from the
 * photo and replace what an earlier attempt left, and a photo deleted meanwhile has all its
 * files removed. A photo whose original cannot be rendered is marked FAILED, without retries,
 * because the same bytes would fail again.
 */
export async function processPhoto(
  deps: MediaJobDependencies,
  photoId: string,
): Promise<MediaJobOutcome> {
  const ownerId = photoOwnerOf(photoId);
  if (ownerId === null) throw new TypeError(`media job: malformed photo id ${photoId}`);

  const photo = await deps.photos.findOwned(photoId, ownerId);
  if (!photo) {
    await deps.files.removeAllOf(photoId);
    return 'photo-deleted';
  }
  if (photo.status === 'READY') {
    // An earlier attempt stopped between marking the photo READY and deleting the original.
    await deleteOriginal(deps, photo);
    return 'already-ready';
  }
  if (photo.status === 'FAILED') return 'failed';

  const original = photo.originalFileId ? await deps.files.read(photo.originalFileId) : null;
  if (!original) return handleMissingOriginal(deps, photo);

  let rendered: RenderedPhoto;
  try {
    rendered = await renderPhoto(original);
  } catch (error) {
    await giveUp(deps, photoId, error);
    return 'failed';
  }

  const resizedId = await writeRendered(deps, photo, 'resized', rendered);
  const thumbnailId = await writeRendered(deps, photo, 'thumbnail', rendered);
  const ready = await deps.photos.markReady(
    photoId,
    ownerId,
    {
      fileId: resizedId,
      thumbnailFileId: thumbnailId,
      contentType: rendered.contentType,
      width: rendered.resized.width,
      height: rendered.resized.height,
    },
    new Date(),
  );
  if (!ready) {
    // The owner deleted the photo while it was being rendered; drop what was just written.
    await deps.files.removeAllOf(photoId);
    return 'photo-deleted';
  }
  await deleteOriginal(deps, ready);
  return 'ready';
}

async function writeRendered(
  deps: MediaJobDependencies,
  photo: PhotoDocument,
  kind: Exclude<PhotoFileKind, 'original'>,
  rendered: RenderedPhoto,
): Promise<string> {
  const fileId = PhotoFileStore.fileIdOf(photo._id, kind);
  await deps.files.write(fileId, rendered[kind].data, {
    ownerId: photo.ownerId,
    cardId: photo.cardId,
    photoId: photo._id,
    kind,
    contentType: rendered.contentType,
  });
  return fileId;
}

/**
 * Deletes the uploaded file once the processed files exist. Only the processed files are kept,
 * because the original may carry EXIF data such as the GPS position where it was taken.
 */
async function deleteOriginal(deps: MediaJobDependencies, photo: PhotoDocument): Promise<void> {
  if (photo.originalFileId === null) return;
  await deps.files.remove(photo.originalFileId);
  await deps.photos.clearOriginal(photo._id, photo.ownerId);
}

/**
 * Handles a PROCESSING photo without its original. Either the owner deleted the photo after
 * this job read it, which needs only clean-up, or the upload's write was lost, and the photo
 * cannot be processed.
 */
async function handleMissingOriginal(
  deps: MediaJobDependencies,
  photo: PhotoDocument,
): Promise<MediaJobOutcome> {
  const current = await deps.photos.findOwned(photo._id, photo.ownerId);
  if (!current) {
    await deps.files.removeAllOf(photo._id);
    return 'photo-deleted';
  }
  await giveUp(deps, photo._id, new Error('the original file is missing from GridFS'));
  return 'failed';
}

/**
 * Marks a PROCESSING photo FAILED and deletes its files, so that no unusable upload stays
 * stored. A photo that is READY already keeps its files.
 */
async function giveUp(deps: MediaJobDependencies, photoId: string, error: unknown): Promise<void> {
  const ownerId = photoOwnerOf(photoId);
  if (ownerId === null) return;
  deps.logger.error(
    { photoId, err: error instanceof Error ? error.message : String(error) },
    'photo processing failed',
  );
  if (await deps.photos.markFailed(photoId, ownerId, new Date())) {
    await deps.files.removeAllOf(photoId);
  }
}
