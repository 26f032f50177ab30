import type { OrderStatus } from '../generated/resolvers';
import type { PaymentEventType } from '../providers/paymentProvider';

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
  /**
   * Ids of the payment events that changed this order's status. The update that applies an
   * event also adds its id here and only matches while the id is absent, so an event is
   * applied once. Missing until the first such event.
   */
  appliedEventIds?: string[];
  /**
   * The client's idempotency key of the refund, recorded before the provider is asked to
   * refund, so that only requests with this key can continue it.
   */
  refundKey?: string | null;
  /** The provider's refund id, once refunded. */
  refundId?: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A received payment event, as stored in `payment_events`: an audit record written after the
 * event is processed, whether or not it changed its order. `_id` is the provider's event id, so
 * each event has one record however often it is delivered.
 */
export interface PaymentEventDocument {
  _id: string;
  type: PaymentEventType;
  ownerId: string;
  orderId: string;
  chargeId: string;
  refundId: string | null;
  /** When the provider created the event. */
  eventCreatedAt: Date;
  recordedAt: Date;
}

/** References to entities other subgraphs own. */
export interface CardReference {
  id: string;
}
export interface UserReference {
  id: string;
}
