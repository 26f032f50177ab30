import { ensureIndexes, matchAny, ownerOf, scatterGatherComment } from '@heartfelt/kit';
import type { Collection, Db, Filter } from 'mongodb';
import type { ContactDocument } from './documents';

/** The fields of a contact that the birthday scan reads. */
export type BirthdayContact = Pick<ContactDocument, '_id' | 'userId' | 'name' | 'relationship'>;

/** A contact whose `birthdayMonthDay` is missing. */
export type UnindexedBirthdayContact = Pick<ContactDocument, '_id' | 'userId' | 'birthday'>;

/**
 * The only code that reads or writes `contacts`. Every query filters on `userId`, the hashed
 * shard key, and a lookup by contact id derives it from the id with `ownerOf`. The exceptions
 * are the birthday scan and its backfill, which read across all users by design.
 */
export class ContactRepository {
  readonly collection: Collection<ContactDocument>;

  constructor(db: Db) {
    this.collection = db.collection<ContactDocument>('contacts');
  }

  /**
   * Creates the indexes behind the newest-first address book and the birthday scan, safe to run
   * at every start. Intended shard key: `{ userId: 'hashed' }`.
   */
  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { userId: 1, createdAt: -1 }, name: 'userId_createdAt' },
      { key: { birthdayMonthDay: 1, _id: 1 }, name: 'birthdayMonthDay_id' },
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

  /**
   * Loads up to `limit` contacts of any user whose birthday falls on `monthDay` (MM-DD), in `_id`
   * order after `afterId`. The query has no shard key, so on a sharded cluster it goes to every
   * shard; the daily scan is the only caller.
   */
  async findBirthdayBatch(
    monthDay: string,
    afterId: string | null,
    limit: number,
  ): Promise<BirthdayContact[]> {
    const filter: Filter<ContactDocument> = { birthdayMonthDay: monthDay };
    if (afterId !== null) filter._id = { $gt: afterId };
    return this.collection
      .find(filter, {
        projection: { _id: 1, userId: 1, name: 1, relationship: 1 },
        comment: scatterGatherComment('birthday-scan'),
      })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
  }

  /**
   * Loads up to `limit` contacts with a birthday but no `birthdayMonthDay`, in `_id` order after
   * `afterId`. Like the scan, this reads across all users.
   */
  async findMissingBirthdayMonthDay(
    afterId: string | null,
    limit: number,
  ): Promise<UnindexedBirthdayContact[]> {
    const filter: Filter<ContactDocument> = {
      birthdayMonthDay: { $exists: false },
      birthday: { $type: 'string' },
    };
    if (afterId !== null) filter._id = { $gt: afterId };
    return this.collection
      .find(filter, {
        projection: { _id: 1, userId: 1, birthday: 1 },
        comment: scatterGatherComment('birthday-backfill'),
      })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
  }

  /**
   * Stores `birthdayMonthDay` on many contacts, one update at a time. NOTE: not a bulk write,
   * because FerretDB 1.24 on PostgreSQL runs the updates of an unordered bulk write at once,
   * takes every connection of its pool and then hangs for all clients (seen with 500 updates).
   */
  async setBirthdayMonthDays(
    updates: ReadonlyArray<{ _id: string; userId: string; birthdayMonthDay: string }>,
  ): Promise<void> {
    for (const { _id, userId, birthdayMonthDay } of updates) {
      await this.collection.updateOne({ _id, userId }, { $set: { birthdayMonthDay } });
    }
  }
}
