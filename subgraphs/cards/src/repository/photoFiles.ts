import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  GridFSBucket,
  type Collection,
  type Db,
  type GridFSBucketReadStream,
  type GridFSFile,
  type ObjectId,
} from 'mongodb';

/** The GridFS bucket of photo files: collections `photos.files` and `photos.chunks`. */
export const PHOTO_BUCKET = 'photos';

/** The files kept for one photo. */
export type PhotoFileKind = 'original' | 'resized' | 'thumbnail';

/** Metadata stored with every photo file. */
export interface PhotoFileMetadata {
  ownerId: string;
  cardId: string;
  photoId: string;
  kind: PhotoFileKind;
  contentType: string;
}

/** A stored photo file as GridFS describes it. */
export interface StoredPhotoFile {
  id: string;
  length: number;
  uploadDate: Date;
  contentType: string;
}

/**
 * The only code that reads or writes photo files in GridFS. Each file's id is derived from
 * its photo, `<photoId>.<kind>`, so a retried write replaces a file instead of adding a second
 * one, and the files of a deleted photo can be found without a query.
 */
export class PhotoFileStore {
  private readonly bucket: GridFSBucket;
  private readonly files: Collection<GridFSFile>;
  private readonly chunks: Collection;

  constructor(db: Db) {
    // The driver creates the bucket's indexes before the first write to an empty bucket.
    this.bucket = new GridFSBucket(db, { bucketName: PHOTO_BUCKET });
    this.files = db.collection<GridFSFile>(`${PHOTO_BUCKET}.files`);
    this.chunks = db.collection(`${PHOTO_BUCKET}.chunks`);
  }

  static fileIdOf(photoId: string, kind: PhotoFileKind): string {
    return `${photoId}.${kind}`;
  }

  /**
   * Writes a file under `fileId`, first deleting any file or stray chunks left under that id
   * by an earlier, interrupted attempt.
   */
  async write(fileId: string, data: Buffer, metadata: PhotoFileMetadata): Promise<void> {
    await this.remove(fileId);
    const upload = this.bucket.openUploadStreamWithId(
      gridFsId(fileId),
      `${metadata.photoId}-${metadata.kind}`,
      { metadata },
    );
    await pipeline(Readable.from([data]), upload);
  }

  /** Returns the file stored under `fileId`, or null when there is none. */
  async find(fileId: string): Promise<StoredPhotoFile | null> {
    const file = await this.files.findOne({ _id: gridFsId(fileId) });
    if (!file) return null;
    const contentType = (file.metadata as Partial<PhotoFileMetadata> | undefined)?.contentType;
    return {
      id: fileId,
      length: file.length,
      uploadDate: file.uploadDate,
      contentType: contentType ?? 'application/octet-stream',
    };
  }

  /** Reads a whole file into memory, or returns null when there is no file `fileId`. */
  async read(fileId: string): Promise<Buffer | null> {
    if (!(await this.find(fileId))) return null;
    const parts: Buffer[] = [];
    for await (const part of this.openDownloadStream(fileId)) parts.push(part as Buffer);
    return Buffer.concat(parts);
  }

  openDownloadStream(fileId: string): GridFSBucketReadStream {
    return this.bucket.openDownloadStream(gridFsId(fileId));
  }

  /**
   * Deletes the file `fileId` and its chunks; chunks without a files document, as a write
   * interrupted mid-way leaves them, are deleted too. Does nothing when neither exists.
   */
  async remove(fileId: string): Promise<void> {
    await this.files.deleteOne({ _id: gridFsId(fileId) });
    await this.chunks.deleteMany({ files_id: gridFsId(fileId) });
  }

  /** Deletes every file of a photo. */
  async removeAllOf(photoId: string): Promise<void> {
    for (const kind of ['original', 'resized', 'thumbnail'] as const) {
      await this.remove(PhotoFileStore.fileIdOf(photoId, kind));
    }
  }
}

/**
 * Casts a photo file id for the driver. GridFS allows any `_id` type, but the driver's typings
 * name ObjectId, and photo files use string ids.
 */
function gridFsId(fileId: string): ObjectId {
  return fileId as unknown as ObjectId;
}
