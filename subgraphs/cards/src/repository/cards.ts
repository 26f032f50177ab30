import type { Collection, Db, Filter } from 'mongodb';
import { ownerOf, type CursorPosition, matchAny } from '@heartfelt/kit';
import type { CardStatus } from '../generated/resolvers';
import type { CardDocument } from './documents';

/** Fields of a draft that `updateDraft` may change. */
export type DraftChanges = Partial<Pick<CardDocument, 'templateId' | 'contactId' | 'message'>>;

/** Statuses from which a card may be scheduled: a draft, or a scheduled card being rescheduled. */
export const SCHEDULABLE_STATUSES: readonly CardStatus[] = ['DRAFT', 'SCHEDULED'];

/**
 * The only code that reads or writes `cards`. The collection is sharded on `ownerId` (hashed),
 * so every query names the owner: given by the caller, or derived from the card id with
 * `ownerOf`.
 */
export class CardRepository {
  readonly collection: Collection<CardDocument>;

  constructor(db: Db) {
    this.collection = db.collection<CardDocument>('cards');
  }

  /** Creates the indexes of the owner's card lists. Safe to run at every start. */
  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([
      { key: { ownerId: 1, createdAt: -1, _id: -1 }, name: 'owner_created' },
      { key: { ownerId: 1, status: 1, createdAt: -1, _id: -1 }, name: 'owner_status_created' },
    ]);
  }

  async insert(card: CardDocument): Promise<void> {
    await this.collection.insertOne(card);
  }

  /**
   * Loads cards by id with one query, which targets the owners embedded in the ids (the shard
   * key values). Ids without a well-formed owner part cannot exist and are skipped.
   */
  async findByIds(ids: readonly string[]): Promise<CardDocument[]> {
    const owners = new Set<string>();
    const wellFormed: string[] = [];
    for (const id of ids) {
      const owner = ownerOf(id);
      if (owner === null) continue;
      owners.add(owner);
      wellFormed.push(id);
    }
    if (wellFormed.length === 0) return [];
    return this.collection
      .find({ ownerId: matchAny([...owners]), _id: matchAny(wellFormed) })
      .toArray();
  }

  /** Reads one card straight from the store, or null when `ownerId` has no card `id`. */
  async findOwned(id: string, ownerId: string): Promise<CardDocument | null> {
    return this.collection.findOne({ _id: id, ownerId });
  }

  /**
   * Applies `changes` to a card only while it is still a DRAFT, and returns the updated card,
   * or null when the card is missing or no longer a draft. The status condition is part of the
   * filter, so an edit never overwrites a card that a concurrent request has scheduled.
   */
  async updateDraft(
    id: string,
    ownerId: string,
    changes: DraftChanges,
    updatedAt: Date,
  ): Promise<CardDocument | null> {
    return this.collection.findOneAndUpdate(
      { _id: id, ownerId, status: 'DRAFT' },
      { $set: { ...changes, updatedAt } },
      { returnDocument: 'after' },
    );
  }

  /**
   * Sets a card to SCHEDULED for `sendAt` if it is in one of {@link SCHEDULABLE_STATUSES}, and
   * returns the updated card, or null when the card is missing or already past scheduling. The
   * status condition in the filter keeps a card that was sent meanwhile from moving back.
   */
  async schedule(
    id: string,
    ownerId: string,
    sendAt: Date,
    updatedAt: Date,
  ): Promise<CardDocument | null> {
    return this.collection.findOneAndUpdate(
      { _id: id, ownerId, status: { $in: [...SCHEDULABLE_STATUSES] } },
      { $set: { status: 'SCHEDULED', sendAt, updatedAt } },
      { returnDocument: 'after' },
    );
  }

  /**
   * Returns one page of an owner's cards, newest first, ties broken by id (descending), with
   * an optional status filter. Fetches `limit` rows, and callers ask for one more than the page
   * size to learn whether a next page exists.
   */
  async findPage(options: {
    ownerId: string;
    status: CardStatus | null;
    after: CursorPosition | null;
    limit: number;
  }): Promise<CardDocument[]> {
    const filter: Filter<CardDocument> = { ownerId: options.ownerId };
    if (options.status) filter.status = options.status;
    if (options.after) {
      const createdAt = new Date(options.after.value);
      filter.$or = [
        { createdAt: { $lt: createdAt } },
        { createdAt, _id: { $lt: options.after.id } },
      ];
    }
    return this.collection
      .find(filter)
      .sort({ createdAt: -1, _id: -1 })
      .limit(options.limit)
      .toArray();
  }
}
