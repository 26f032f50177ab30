import { ensureIndexes, isDuplicateKeyError, matchAny } from '@heartfelt/kit';
import type { Collection, Db } from 'mongodb';
import type { ReminderDocument } from './documents';

/**
 * The only code that reads or writes `reminders`. The collection is sharded on `ownerId`
 * (hashed), and every query names the owner.
 */
export class ReminderRepository {
  readonly collection: Collection<ReminderDocument>;

  constructor(db: Db) {
    this.collection = db.collection<ReminderDocument>('reminders');
  }

  /** Creates the index of a user's reminders by date; safe to run at every start. */
  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [{ key: { ownerId: 1, date: 1 }, name: 'owner_date' }]);
  }

  /**
   * Inserts a reminder unless one with its `_id` exists. Returns false when it existed, which
   * is how a repeated reminder job becomes a no-op.
   */
  async insertIfAbsent(reminder: ReminderDocument): Promise<boolean> {
    try {
      await this.collection.insertOne(reminder);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /** Loads the reminders of many users dated `fromDate` (YYYY-MM-DD) or later, soonest first. */
  async findUpcomingByOwners(
    ownerIds: readonly string[],
    fromDate: string,
  ): Promise<ReminderDocument[]> {
    // YYYY-MM-DD strings compare in calendar order.
    return this.collection
      .find({ ownerId: matchAny(ownerIds), date: { $gte: fromDate } })
      .sort({ date: 1, _id: 1 })
      .toArray();
  }
}
