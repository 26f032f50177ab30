import { ownerOf, matchAny } from '@heartfelt/kit';
import type { Collection, Db } from 'mongodb';
import type { GenerationStatus } from '../generated/resolvers';
import type { GenerationDocument } from './documents';

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
    await this.collection.createIndex({ ownerId: 1, createdAt: -1 }, { name: 'owner_created' });
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

  /** Records the outcome of a generation. */
  async complete(
    generation: Pick<GenerationDocument, '_id' | 'ownerId'>,
    outcome: { status: GenerationStatus; suggestions: string[]; completedAt: Date },
  ): Promise<void> {
    await this.collection.updateOne(
      { _id: generation._id, ownerId: generation.ownerId },
      { $set: outcome },
    );
  }
}
