import { ensureIndexes, matchAny, ownerOf } from '@heartfelt/kit';
import type { Collection, Db } from 'mongodb';
import type { PhotoStatus } from '../generated/resolvers';

/** A photo of a card as stored in `photos`, sharded on `ownerId` (hashed). */
export interface PhotoDocument {
  /** `pho_<owner>_<random>`, see photos/ids.ts. */
  _id: string;
  ownerId: string;
  cardId: string;
  status: PhotoStatus;
  /**
   * GridFS id of the file as uploaded. The media job deletes that file once the processed
   * files exist, because it may carry EXIF data such as GPS coordinates, and sets this to null.
   */
  originalFileId: string | null;
  /** GridFS id of the processed photo (at most 2048 px on the long side); null until READY. */
  fileId: string | null;
  /** GridFS id of the thumbnail (at most 320 px on the long side); null until READY. */
  thumbnailFileId: string | null;
  /** MIME type of the processed photo and of its thumbnail; null until READY. */
  contentType: string | null;
  /** Pixel dimensions of the processed photo, upright; null until READY. */
  width: number | null;
  height: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Fields the media job records when a photo is processed. */
export type ProcessedPhoto = Pick<
  PhotoDocument,
  'fileId' | 'thumbnailFileId' | 'contentType' | 'width' | 'height'
>;

/**
 * The only code that reads or writes `photos`. The collection is sharded on `ownerId`, so every
 * query names the owner, given by the caller or taken from the card ids.
 */
export class PhotoRepository {
  readonly collection: Collection<PhotoDocument>;

  constructor(db: Db) {
    this.collection = db.collection<PhotoDocument>('photos');
  }

  /** Creates the index of a card's photos in upload order. Safe to run at every start. */
  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { ownerId: 1, cardId: 1, createdAt: 1 }, name: 'owner_card_created' },
    ]);
  }

  async insert(photo: PhotoDocument): Promise<void> {
    await this.collection.insertOne(photo);
  }

  async findOwned(id: string, ownerId: string): Promise<PhotoDocument | null> {
    return this.collection.findOne({ _id: id, ownerId });
  }

  /**
   * Loads the photos of several cards with one query, oldest first, which targets the owners
   * embedded in the card ids. Malformed card ids cannot have photos and are skipped.
   */
  async findByCardIds(cardIds: readonly string[]): Promise<PhotoDocument[]> {
    const owners = new Set<string>();
    const wellFormed: string[] = [];
    for (const cardId of cardIds) {
      const owner = ownerOf(cardId);
      if (owner === null) continue;
      owners.add(owner);
      wellFormed.push(cardId);
    }
    if (wellFormed.length === 0) return [];
    return this.collection
      .find({ ownerId: matchAny([...owners]), cardId: matchAny(wellFormed) })
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
  }

  async countForCard(ownerId: string, cardId: string): Promise<number> {
    return this.collection.countDocuments({ ownerId, cardId });
  }

  /** Returns the ids of a card's first `limit` photos in upload order (ties broken by id). */
  async firstIdsOfCard(ownerId: string, cardId: string, limit: number): Promise<string[]> {
    const rows = await this.collection
      .find({ ownerId, cardId }, { projection: { _id: 1 } })
      .sort({ createdAt: 1, _id: 1 })
      .limit(limit)
      .toArray();
    return rows.map((row) => row._id);
  }

  /**
   * Records the processed files of a photo that is still PROCESSING and returns the updated
   * photo, or null when the photo was deleted or is no longer PROCESSING.
   */
  async markReady(
    id: string,
    ownerId: string,
    processed: ProcessedPhoto,
    updatedAt: Date,
  ): Promise<PhotoDocument | null> {
    return this.collection.findOneAndUpdate(
      { _id: id, ownerId, status: 'PROCESSING' },
      { $set: { ...processed, status: 'READY', updatedAt } },
      { returnDocument: 'after' },
    );
  }

  /** Sets a photo that is still PROCESSING to FAILED; returns false when it was not. */
  async markFailed(id: string, ownerId: string, updatedAt: Date): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: id, ownerId, status: 'PROCESSING' },
      { $set: { status: 'FAILED', originalFileId: null, updatedAt } },
    );
    return result.modifiedCount === 1;
  }

  /** Records that the original file of a photo has been deleted. */
  async clearOriginal(id: string, ownerId: string): Promise<void> {
    await this.collection.updateOne({ _id: id, ownerId }, { $set: { originalFileId: null } });
  }

  /** Deletes a photo and returns it, or returns null when `ownerId` has no photo `id`. */
  async delete(id: string, ownerId: string): Promise<PhotoDocument | null> {
    return this.collection.findOneAndDelete({ _id: id, ownerId });
  }
}
