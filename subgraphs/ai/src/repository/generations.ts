import { ensureIndexes, matchAny, ownerOf } from '@heartfelt/kit';
import type { Collection, Db } from 'mongodb';
import type { GenerationStatus } from '../generated/resolvers';
import type { GenerationDocument } from './documents';

/** The final state of a generation. */
export interface GenerationOutcome {
  status: Exclude<GenerationStatus, 'PENDING'>;
  suggestions: string[];
  /** The provider that ran, or was to run, the generation. */
  provider: string;
  completedAt: Date;
}

/**
 * The only code that reads or writes `generations`. The collection is sharded on `ownerId`
 * (hashed), so every query names the owner; ids embed it, see `ownerOf`.
 */
export class GenerationRepository {
  readonly collection: Collection<GenerationDocument>;

  constructor(db: Db) {
    this.collection = db.collection<GenerationDocument>('generations');
  }

  /** Creates the index of a user's generations, newest first; safe to run at every start. */
  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { ownerId: 1, createdAt: -1 }, name: 'owner_created' },
    ]);
  }

  async insert(generation: GenerationDocument): Promise<void> {
    await this.collection.insertOne(generation);
  }

  /** Loads generations by id with one query that names their owners, the shard key. */
  async findByIds(ids: readonly string[]): Promise<GenerationDocument[]> {
    const owners = [...new Set(ids.map(ownerOf).filter((owner) => owner !== null))];
    if (owners.length === 0) return [];
    return this.collection.find({ ownerId: matchAny(owners), _id: matchAny([...ids]) }).toArray();
  }

  /**
   * Counts one more provider call on a PENDING generation and returns the generation as updated,
   * or null when it is missing or no longer PENDING.
   */
  async startAttempt(id: string): Promise<GenerationDocument | null> {
    const ownerId = ownerOf(id);
    if (ownerId === null) return null;
    return this.collection.findOneAndUpdate(
      { _id: id, ownerId, status: 'PENDING' },
      { $inc: { attempts: 1 } },
      { returnDocument: 'after' },
    );
  }

  /**
   * Records the outcome of a PENDING generation. Returns false, changing nothing, when the
   * generation already has an outcome, so a repeated job cannot overwrite the first one.
   */
  async complete(
    generation: Pick<GenerationDocument, '_id' | 'ownerId'>,
    outcome: GenerationOutcome,
  ): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: generation._id, ownerId: generation.ownerId, status: 'PENDING' },
      { $set: outcome },
    );
    return result.modifiedCount === 1;
  }
}
