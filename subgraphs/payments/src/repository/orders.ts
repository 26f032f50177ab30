import type { Collection, Db, Filter } from 'mongodb';
import {
  ensureIndexes,
  ownerOf,
  type CursorPosition,
  type EntityCache,
  matchAny,
} from '@heartfelt/kit';
import type { OrderStatus } from '../generated/resolvers';
import type { OrderDocument } from './documents';

/** Entity cache names of orders by id and of the order id by card id. */
export const ORDER_ENTITY = 'order';
export const ORDER_BY_CARD_ENTITY = 'order-by-card';

/**
 * The cached order of a card: `order` is null for a card without
 * one, so that the common case of an unpaid card is cached too.
 */
export interface CardOrderLink {
  cardId: string;
  order: OrderDocument | null;
}

/** The fields a payment event may change on an order. */
export type OrderEventChange = Partial<Pick<OrderDocument, 'status' | 'chargeId' | 'refundId'>>;

/**
 * The only code that reads or writes `orders`. The collection is sharded on `ownerId` (hashed),
 * so every query names the owner, derived with `ownerOf` when only ids are known.
 *
 * Every write drops the cache entries it changes (the order by id and the card's order link)
 * after the store write, so that the next read through the loaders goes to the store.
 */
export class OrderRepository {
  readonly collection: Collection<OrderDocument>;

  constructor(
    db: Db,
    private readonly cache?: EntityCache,
  ) {
    this.collection = db.collection<OrderDocument>('orders');
  }

  /**
   * Drops the cache entries of an order after a write: the order by id, and the link of its
   * card when the card is known (a conditional update that matched nothing changed no link).
   */
  private async forget(id: string, cardId: string | null): Promise<void> {
    await this.cache?.invalidate(ORDER_ENTITY, [id]);
    if (cardId !== null) await this.cache?.invalidate(ORDER_BY_CARD_ENTITY, [cardId]);
  }

  /** Creates the indexes of `orders`; safe to run at every start. */
  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [
      // One order per card: a second checkout of a paid card fails on this index.
      { key: { ownerId: 1, cardId: 1 }, name: 'owner_card', unique: true },
      { key: { ownerId: 1, createdAt: -1, _id: -1 }, name: 'owner_created' },
    ]);
  }

  /**
   * Inserts a new order. Raises the store's duplicate-key error when the `_id` (the same
   * idempotency key) or the card (another checkout of it) is taken.
   */
  async insert(order: OrderDocument): Promise<void> {
    await this.collection.insertOne(order);
    await this.forget(order._id, order.cardId);
  }

  async findById(id: string): Promise<OrderDocument | null> {
    const ownerId = ownerOf(id);
    if (!ownerId) return null;
    return this.collection.findOne({ _id: id, ownerId });
  }

  async findByCard(ownerId: string, cardId: string): Promise<OrderDocument | null> {
    return this.collection.findOne({ ownerId, cardId });
  }

  /** Loads orders by id with one `$in` query that names every owner (the shard key). */
  async findByIds(ids: readonly string[]): Promise<OrderDocument[]> {
    const owners = ownersOf(ids);
    if (owners.length === 0) return [];
    return this.collection.find({ _id: matchAny([...ids]), ownerId: matchAny(owners) }).toArray();
  }

  /** Loads the orders of many cards with one `$in` query that names every owner. */
  async findByCardIds(cardIds: readonly string[]): Promise<OrderDocument[]> {
    const owners = ownersOf(cardIds);
    if (owners.length === 0) return [];
    return this.collection
      .find({ cardId: { $in: [...cardIds] }, ownerId: matchAny(owners) })
      .toArray();
  }

  /**
   * Returns a link for every card id, in key order, with `order` null for cards without one,
   * from one query.
   */
  async findLinksByCardIds(cardIds: readonly string[]): Promise<CardOrderLink[]> {
    const orders = await this.findByCardIds(cardIds);
    const orderByCard = new Map(orders.map((order) => [order.cardId, order]));
    return cardIds.map((cardId) => ({ cardId, order: orderByCard.get(cardId) ?? null }));
  }

  /**
   * Marks a PENDING order PAID with the provider's charge id. Returns the updated order, or
   * null when the order is no longer PENDING (or no longer exists).
   */
  async markPaid(id: string, chargeId: string): Promise<OrderDocument | null> {
    const ownerId = ownerOf(id);
    if (!ownerId) return null;
    const paid = await this.collection.findOneAndUpdate(
      { _id: id, ownerId, status: 'PENDING' },
      { $set: { status: 'PAID', chargeId, updatedAt: new Date() } },
      { returnDocument: 'after' },
    );
    await this.forget(id, paid?.cardId ?? null);
    return paid;
  }

  /**
   * Applies a payment event in one single-document update: sets `change` and appends the event
   * id to `appliedEventIds`. The update matches only while the order is in `expectedStatus` and
   * the event id is absent, so a second delivery of the event, or a status change since the
   * caller read the order, makes it a no-op. Returns whether the order was updated.
   */
  async applyEvent(
    order: Pick<OrderDocument, '_id' | 'cardId'>,
    eventId: string,
    expectedStatus: OrderStatus,
    change: OrderEventChange,
  ): Promise<boolean> {
    const id = order._id;
    const ownerId = ownerOf(id);
    if (!ownerId) return false;
    const result = await this.collection.updateOne(
      { _id: id, ownerId, status: expectedStatus, appliedEventIds: { $ne: eventId } },
      { $set: { ...change, updatedAt: new Date() }, $push: { appliedEventIds: eventId } },
    );
    await this.forget(id, order.cardId);
    return result.modifiedCount === 1;
  }

  /**
   * Records the client's refund key on a PAID order that has none yet, before the provider is
   * asked to refund. Returns the updated order, or null when the order is not PAID or already
   * has a refund key.
   */
  async recordRefundKey(id: string, refundKey: string): Promise<OrderDocument | null> {
    const ownerId = ownerOf(id);
    if (!ownerId) return null;
    const claimed = await this.collection.findOneAndUpdate(
      // `refundKey: null` also matches orders without the field.
      { _id: id, ownerId, status: 'PAID', refundKey: null },
      { $set: { refundKey, updatedAt: new Date() } },
      { returnDocument: 'after' },
    );
    await this.forget(id, claimed?.cardId ?? null);
    return claimed;
  }

  /**
   * Marks a PAID order REFUNDED with the provider's refund id. Returns the updated order, or
   * null when the order is no longer PAID.
   */
  async markRefunded(id: string, refundId: string): Promise<OrderDocument | null> {
    const ownerId = ownerOf(id);
    if (!ownerId) return null;
    const refunded = await this.collection.findOneAndUpdate(
      { _id: id, ownerId, status: 'PAID' },
      { $set: { status: 'REFUNDED', refundId, updatedAt: new Date() } },
      { returnDocument: 'after' },
    );
    await this.forget(id, refunded?.cardId ?? null);
    return refunded;
  }

  /** Deletes an order only while it is still PENDING; returns whether one was deleted. */
  async deletePending(order: Pick<OrderDocument, '_id' | 'cardId'>): Promise<boolean> {
    const ownerId = ownerOf(order._id);
    if (!ownerId) return false;
    const result = await this.collection.deleteOne({ _id: order._id, ownerId, status: 'PENDING' });
    await this.forget(order._id, order.cardId);
    return result.deletedCount === 1;
  }

  /**
   * Returns one page of a user's orders, newest first, ties broken by id. Fetches `limit`
   * rows; callers ask for one more than the page size to learn whether a next page exists.
   */
  async findPageByOwner(options: {
    ownerId: string;
    after: CursorPosition | null;
    limit: number;
  }): Promise<OrderDocument[]> {
    const filter: Filter<OrderDocument> = { ownerId: options.ownerId };
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

/** Returns the distinct owners of well-formed owned ids; malformed ids are skipped. */
function ownersOf(ids: readonly string[]): string[] {
  const owners = new Set<string>();
  for (const id of ids) {
    const owner = ownerOf(id);
    if (owner) owners.add(owner);
  }
  return [...owners];
}
