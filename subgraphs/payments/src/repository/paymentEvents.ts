import type { Collection, Db } from 'mongodb';
import { ensureIndexes, isDuplicateKeyError } from '@heartfelt/kit';
import type { PaymentEventDocument } from './documents';

/**
 * The only code that reads or writes `payment_events`, the audit record of received payment
 * events. The `_id` is the provider's event id; each document also names its owner (`ownerId`)
 * so that the collection can be sharded like `orders`.
 */
export class PaymentEventRepository {
  readonly collection: Collection<PaymentEventDocument>;

  constructor(db: Db) {
    this.collection = db.collection<PaymentEventDocument>('payment_events');
  }

  /** Creates the indexes of `payment_events`; safe to run at every start. */
  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { ownerId: 1, orderId: 1, recordedAt: 1 }, name: 'owner_order_recorded' },
    ]);
  }

  /**
   * Records an event. Returns false when it was recorded before (the `_id` is taken), which
   * happens when a delivery is retried after the order was updated.
   */
  async record(event: PaymentEventDocument): Promise<boolean> {
    try {
      await this.collection.insertOne(event);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
}
