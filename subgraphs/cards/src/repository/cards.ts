import type { Collection, Db, Filter } from 'mongodb';
import { ensureIndexes, ownerOf, type CursorPosition, matchAny } from '@heartfelt/kit';
import { statusesAllowing } from '../delivery/status';
import type { CardPageCache } from '../cardPageCache';
import type { CardStatus } from '../generated/resolvers';
import type { CardDocument } from './documents';

/** Fields of a draft that `updateDraft` may change. */
export type DraftChanges = Partial<Pick<CardDocument, 'templateId' | 'contactId' | 'message'>>;

/** Fields that {@link CardRepository.scheduleDelivery} writes. */
export interface DeliverySchedule {
  sendAt: Date;
  deliveryId: string;
  /** The delivery id the caller read; the write applies only if the card still has it. */
  previousDeliveryId: string | null;
  publicToken: string;
  updatedAt: Date;
}

/**
 * The only code that reads or writes `cards`. The collection is sharded on `ownerId` (hashed),
 * so every query names the owner: given by the caller, or derived from the card id with
 * `ownerOf`.
 *
 * Every write, whether it matched or not, then gives the owner a new page version in
 * `pages`, so that no `User.cards` page cached before the write is served after it.
 */
export class CardRepository {
  readonly collection: Collection<CardDocument>;

  constructor(
    db: Db,
    private readonly pages?: CardPageCache,
  ) {
    this.collection = db.collection<CardDocument>('cards');
  }

  /** Runs a store write, then invalidates the owner's cached pages. */
  private async write<T>(ownerId: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } finally {
      await this.pages?.bump(ownerId);
    }
  }

  /** Creates the indexes of the owner's card lists. Safe to run at every start. */
  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { ownerId: 1, createdAt: -1, _id: -1 }, name: 'owner_created' },
      { key: { ownerId: 1, status: 1, createdAt: -1, _id: -1 }, name: 'owner_status_created' },
      // NOTE: not unique. Drafts have no token, and a unique index that skips them needs
      // partialFilterExpression, which FerretDB 1.24 does not implement (a sparse compound
      // index would still index them by ownerId). Tokens carry 128 random bits instead.
      { key: { ownerId: 1, publicToken: 1 }, name: 'owner_public_token' },
    ]);
  }

  async insert(card: CardDocument): Promise<void> {
    await this.write(card.ownerId, () => this.collection.insertOne(card));
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
    return this.write(ownerId, () =>
      this.collection.findOneAndUpdate(
        { _id: id, ownerId, status: 'DRAFT' },
        { $set: { ...changes, updatedAt } },
        { returnDocument: 'after' },
      ),
    );
  }

  /**
   * Schedules a card, or reschedules it, and returns the updated card. Returns null when the
   * card is missing, its status does not allow scheduling, its delivery has started, or another
   * request has rescheduled or cancelled it since the caller read `previousDeliveryId`.
   */
  async scheduleDelivery(
    id: string,
    ownerId: string,
    schedule: DeliverySchedule,
  ): Promise<CardDocument | null> {
    return this.write(ownerId, () =>
      this.collection.findOneAndUpdate(
        {
          _id: id,
          ownerId,
          status: { $in: [...statusesAllowing('schedule')] },
          deliveryId: schedule.previousDeliveryId,
          deliveryStartedAt: null,
        },
        {
          $set: {
            status: 'SCHEDULED',
            sendAt: schedule.sendAt,
            deliveryId: schedule.deliveryId,
            deliveryStartedAt: null,
            publicToken: schedule.publicToken,
            updatedAt: schedule.updatedAt,
          },
        },
        { returnDocument: 'after' },
      ),
    );
  }

  /**
   * Cancels the card's scheduled delivery `deliveryId` (null for a card scheduled before cards
   * had delivery ids): the card becomes a DRAFT without sendAt or delivery id. Returns null when
   * the card no longer has that delivery or a worker has started it.
   */
  async cancelDelivery(
    id: string,
    ownerId: string,
    deliveryId: string | null,
    updatedAt: Date,
  ): Promise<CardDocument | null> {
    return this.write(ownerId, () =>
      this.collection.findOneAndUpdate(
        {
          _id: id,
          ownerId,
          status: { $in: [...statusesAllowing('cancel')] },
          deliveryId,
          deliveryStartedAt: null,
        },
        { $set: { status: 'DRAFT', sendAt: null, deliveryId: null, updatedAt } },
        { returnDocument: 'after' },
      ),
    );
  }

  /**
   * Marks delivery `deliveryId` as started, so that the card can no longer be rescheduled or
   * cancelled. Returns the card, or null when it is not SCHEDULED with that delivery any more.
   * Claiming again, as a retried job does, matches too.
   */
  async claimDelivery(
    id: string,
    ownerId: string,
    deliveryId: string,
    startedAt: Date,
  ): Promise<CardDocument | null> {
    return this.write(ownerId, () =>
      this.collection.findOneAndUpdate(
        { _id: id, ownerId, status: 'SCHEDULED', deliveryId },
        { $set: { deliveryStartedAt: startedAt, updatedAt: startedAt } },
        { returnDocument: 'after' },
      ),
    );
  }

  /**
   * Records that delivery `deliveryId` was sent. Returns false when the card was not waiting
   * for that delivery.
   */
  async markSent(id: string, ownerId: string, deliveryId: string, sentAt: Date): Promise<boolean> {
    const result = await this.write(ownerId, () =>
      this.collection.updateOne(
        { _id: id, ownerId, status: { $in: [...statusesAllowing('send')] }, deliveryId },
        { $set: { status: 'SENT', sentAt, updatedAt: sentAt } },
      ),
    );
    return result.modifiedCount === 1;
  }

  /** Reads the card whose public page token is `token`; `ownerId` comes from the token. */
  async findByPublicToken(token: string, ownerId: string): Promise<CardDocument | null> {
    return this.collection.findOne({ ownerId, publicToken: token });
  }

  /**
   * Records the recipient's first view of a SENT card. Returns false when the card was not
   * SENT, which includes a card already OPENED.
   */
  async markOpened(id: string, ownerId: string, openedAt: Date): Promise<boolean> {
    const result = await this.write(ownerId, () =>
      this.collection.updateOne(
        { _id: id, ownerId, status: { $in: [...statusesAllowing('open')] } },
        { $set: { status: 'OPENED', openedAt, updatedAt: openedAt } },
      ),
    );
    return result.modifiedCount === 1;
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
