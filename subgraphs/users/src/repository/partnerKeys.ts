import type { Collection, Db } from 'mongodb';
import type { PartnerKeyDocument } from './documents';

/**
 * The only code that reads or writes `partner_keys`. The collection is small, written by admins
 * only, and left unsharded.
 */
export class PartnerKeyRepository {
  readonly collection: Collection<PartnerKeyDocument>;

  constructor(db: Db) {
    this.collection = db.collection<PartnerKeyDocument>('partner_keys');
  }

  async insert(key: PartnerKeyDocument): Promise<void> {
    await this.collection.insertOne(key);
  }

  async findById(id: string): Promise<PartnerKeyDocument | null> {
    return this.collection.findOne({ _id: id });
  }

  /** Lists every key, newest first. */
  async list(): Promise<PartnerKeyDocument[]> {
    return this.collection.find({}).sort({ createdAt: -1, _id: -1 }).toArray();
  }

  /** Marks a key revoked and returns it, or null when there is no such key. */
  async revoke(id: string, now: Date): Promise<PartnerKeyDocument | null> {
    await this.collection.updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: now } });
    return this.findById(id);
  }
}
