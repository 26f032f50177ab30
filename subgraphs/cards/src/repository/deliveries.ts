import { isDuplicateKeyError } from '@heartfelt/kit';
import type { Collection, Db } from 'mongodb';
import type { DeliveryDocument } from './documents';

/**
 * The only code that reads or writes `deliveries`. The collection is sharded on `ownerId`
 * (hashed), so every query names the owner along with the delivery id.
 */
export class DeliveryRepository {
  readonly collection: Collection<DeliveryDocument>;

  constructor(db: Db) {
    this.collection = db.collection<DeliveryDocument>('deliveries');
  }

  /**
   * Records the intent to send a delivery's email. Returns null when this call inserted it, or
   * the record an earlier attempt left when one with the same id exists.
   */
  async recordIntent(delivery: DeliveryDocument): Promise<DeliveryDocument | null> {
    try {
      await this.collection.insertOne(delivery);
      return null;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const existing = await this.collection.findOne({
      _id: delivery._id,
      ownerId: delivery.ownerId,
    });
    if (!existing) {
      // Deliveries are never deleted, so a duplicate key without a document cannot happen.
      throw new Error(`delivery ${delivery._id} collided on insert but could not be read`);
    }
    return existing;
  }

  /** Counts one more hand-over of the delivery's email to the mail adapter. */
  async countSendAttempt(id: string, ownerId: string): Promise<void> {
    await this.collection.updateOne({ _id: id, ownerId }, { $inc: { sendAttempts: 1 } });
  }

  /** Marks a delivery SENT. Repeating it after a crash leaves the first `sentAt` in place. */
  async markSent(id: string, ownerId: string, sentAt: Date): Promise<void> {
    await this.collection.updateOne(
      { _id: id, ownerId, state: 'SENDING' },
      { $set: { state: 'SENT', sentAt } },
    );
  }
}
