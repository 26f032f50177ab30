import type { OrderStatus } from '../generated/resolvers';

/**
 * An order as stored in `orders`, sharded on `ownerId` (hashed). The `_id` is derived from the
 * owner and the idempotency key, so two checkouts with one key collide on `_id` on the same
 * shard and only one of them can insert.
 */
export interface OrderDocument {
  _id: string;
  ownerId: string;
  cardId: string;
  idempotencyKey: string;
  /** SHA-256 of the checkout input, to reject a key reused with different input. */
  requestHash: string;
  amountCents: number;
  currency: string;
  status: OrderStatus;
  /** The provider's charge id, once authorized. */
  chargeId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** References to entities other subgraphs own. */
export interface CardReference {
  id: string;
}
export interface UserReference {
  id: string;
}
