import type { Collection, Db } from 'mongodb';
import type { EmailDocument } from './documents';

/**
 * The only code that reads or writes `emails`, the claims that keep sign-in addresses unique.
 * The lower-cased address is the `_id` and the hashed shard key, so every query is targeted.
 */
export class EmailRepository {
  readonly collection: Collection<EmailDocument>;

  constructor(db: Db) {
    this.collection = db.collection<EmailDocument>('emails');
  }

  /**
   * Creates the indexes of `emails`, safe to run at every start. The unique `_id` index, which
   * the store creates, is the only one it needs. Intended shard key: `{ _id: 'hashed' }`.
   */
  async ensureIndexes(): Promise<void> {
    // Nothing to create: `_id` is indexed and unique by default.
  }

  /**
   * Claims `email` for `userId`.
   *
   * @throws the store's duplicate-key error (see `isDuplicateKeyError`) when the address is
   * already claimed.
   */
  async claim(email: string, userId: string, createdAt: Date): Promise<void> {
    await this.collection.insertOne({ _id: email, userId, createdAt });
  }

  async findByEmail(email: string): Promise<EmailDocument | null> {
    return this.collection.findOne({ _id: email });
  }

  /**
   * Deletes the claim on `email` if it still belongs to `userId`, so a claim taken over by
   * another sign-up in the meantime stays. Returns true when a claim was deleted.
   */
  async release(email: string, userId: string): Promise<boolean> {
    const result = await this.collection.deleteOne({ _id: email, userId });
    return result.deletedCount === 1;
  }
}
