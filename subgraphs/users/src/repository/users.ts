import { matchAny } from '@heartfelt/kit';
import type { Collection, Db } from 'mongodb';
import type { StoredUserDocument, UserDocument } from './documents';

/** Fields that stay in the store: graph reads, and so the entity cache, never see them. */
const privateFields = { passwordHash: 0, contactCount: 0 } as const;

/**
 * The only code that reads or writes `users`. Every query filters on `_id`, the collection's
 * hashed shard key.
 */
export class UserRepository {
  readonly collection: Collection<StoredUserDocument>;

  constructor(db: Db) {
    this.collection = db.collection<StoredUserDocument>('users');
  }

  /**
   * Creates the indexes of `users`, safe to run at every start. `users` needs no index beyond
   * `_id`, because the claims in `emails` keep emails unique. Intended shard key:
   * `{ _id: 'hashed' }`.
   */
  async ensureIndexes(): Promise<void> {
    // Nothing to create: `_id` is indexed by the store itself.
  }

  async insert(user: StoredUserDocument): Promise<void> {
    await this.collection.insertOne(user);
  }

  /** Loads users by id with one `$in` query, without the password hash and contact counter. */
  async findByIds(ids: readonly string[]): Promise<UserDocument[]> {
    return this.collection
      .find({ _id: matchAny([...ids]) }, { projection: privateFields })
      .toArray();
  }

  /** Loads one user with the password hash, for `logIn` only. */
  async findWithPasswordHash(id: string): Promise<StoredUserDocument | null> {
    return this.collection.findOne({ _id: id });
  }

  async exists(id: string): Promise<boolean> {
    const found = await this.collection.findOne({ _id: id }, { projection: { _id: 1 } });
    return found !== null;
  }

  /**
   * Counts one more contact for the user unless they already have `maxContacts`. Returns false
   * when the user is at the maximum or does not exist. The check and the increment are one
   * update, so concurrent callers cannot both take the last slot.
   */
  async reserveContactSlot(userId: string, maxContacts: number): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: userId, contactCount: { $lt: maxContacts } },
      { $inc: { contactCount: 1 } },
    );
    return result.matchedCount === 1;
  }

  /** Gives back a slot taken by {@link reserveContactSlot} when the contact insert failed. */
  async releaseContactSlot(userId: string): Promise<void> {
    await this.collection.updateOne(
      { _id: userId, contactCount: { $gt: 0 } },
      { $inc: { contactCount: -1 } },
    );
  }
}
