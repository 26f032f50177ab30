import { ownerOf, matchAny } from '@heartfelt/kit';
import type { Collection, Db } from 'mongodb';
import type { ContactDocument } from './documents';

/**
 * The only code that reads or writes `contacts`. Every query filters on `userId`, the hashed
 * shard key, and a lookup by contact id derives it from the id with `ownerOf`.
 */
export class ContactRepository {
  readonly collection: Collection<ContactDocument>;

  constructor(db: Db) {
    this.collection = db.collection<ContactDocument>('contacts');
  }

  /**
   * Creates the index behind the newest-first address book, safe to run at every start.
   * Intended shard key: `{ userId: 'hashed' }`.
   */
  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([
      { key: { userId: 1, createdAt: -1 }, name: 'userId_createdAt' },
    ]);
  }

  async insert(contact: ContactDocument): Promise<void> {
    await this.collection.insertOne(contact);
  }

  /** Loads contacts by id with one `$in` query. Malformed ids match nothing. */
  async findByIds(ids: readonly string[]): Promise<ContactDocument[]> {
    const owners = new Set<string>();
    for (const id of ids) {
      const owner = ownerOf(id);
      if (owner !== null) owners.add(owner);
    }
    if (owners.size === 0) return [];
    return this.collection
      .find({ _id: matchAny([...ids]), userId: matchAny([...owners]) })
      .toArray();
  }

  /** Loads the contacts of many users with one `$in` query, newest first. */
  async findByUserIds(userIds: readonly string[]): Promise<ContactDocument[]> {
    return this.collection
      .find({ userId: matchAny(userIds) })
      .sort({ createdAt: -1, _id: -1 })
      .toArray();
  }
}
