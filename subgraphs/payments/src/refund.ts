import {
  expectedError,
  ErrorCode,
  isId,
  notFound,
  ownerOf,
  unauthenticated,
  type Identity,
  type Logger,
} from '@heartfelt/kit';
import { refundInProgress, refundNotAllowed } from './errors';
import { requireIdempotencyKey } from './idempotencyKey';
import type { PaymentProvider } from './providers';
import type { OrderDocument } from './repository/documents';
import type { OrderRepository } from './repository/orders';

/** Times a refund re-reads its order after a concurrent change kept it from recording its key. */
const MAX_CLAIM_ATTEMPTS = 3;

/** The dependencies of {@link RefundService}. */
export interface RefundDependencies {
  orders: OrderRepository;
  provider: PaymentProvider;
}

/**
 * Derives the idempotency key sent to the provider for a refund. It is scoped to the order,
 * since clients choose their keys and two users may choose the same one. Order ids never
 * contain "/", so the joined key is unambiguous.
 */
export function providerRefundKey(orderId: string, idempotencyKey: string): string {
  return `${orderId}/${idempotencyKey}`;
}

/**
 * Refunds paid orders in full. Like checkout, a refund records its intent first: it stores the
 * client's idempotency key on the PAID order with a conditional update, so only one key can
 * start a refund. Then it sends the provider a refund request with a key derived from that one,
 * and marks the order REFUNDED. A repeated request with the same key continues from wherever the
 * first one stopped and returns the same order; the provider never refunds twice.
 *
 * The provider also reports the refund as a `refunded` event. payments-worker records it and,
 * for a request that died after the provider refunded, marks the order REFUNDED.
 */
export class RefundService {
  constructor(private readonly deps: RefundDependencies) {}

  async refund(
    identity: Identity,
    orderId: string,
    idempotencyKey: string,
    logger: Logger,
  ): Promise<OrderDocument> {
    const userId = identity.userId;
    if (!userId) throw unauthenticated();
    requireIdempotencyKey(idempotencyKey);
    // Someone else's order, like a malformed id, is not found, so nothing reveals it exists.
    if (!isId('order', orderId) || ownerOf(orderId) !== userId) throw notFound('Order', orderId);

    for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      const order = await this.deps.orders.findById(orderId);
      if (!order) throw notFound('Order', orderId);

      if (order.refundKey === idempotencyKey) return this.finish(order, logger);
      if (order.refundKey && order.status === 'PAID') throw refundInProgress(orderId);
      if (order.status !== 'PAID') throw refundNotAllowed(orderId, order.status);

      const claimed = await this.deps.orders.recordRefundKey(orderId, idempotencyKey);
      if (claimed) return this.finish(claimed, logger);
      // Another refund recorded its key, or an event changed the order: read it again.
    }

    throw expectedError(
      ErrorCode.Conflict,
      `Order ${JSON.stringify(orderId)} changed during each of ${MAX_CLAIM_ATTEMPTS} attempts ` +
        'to start its refund; retry with the same idempotencyKey.',
    );
  }

  /**
   * Has the provider refund an order whose refund key is recorded, then marks it REFUNDED.
   * Returns an order that is no longer PAID as it is, since its refund is done.
   */
  private async finish(order: OrderDocument, logger: Logger): Promise<OrderDocument> {
    if (order.status !== 'PAID') return order;
    if (!order.chargeId || !order.refundKey) {
      throw new Error(`order ${order._id} has no charge id or refund key to refund with`);
    }

    const refund = await this.deps.provider.refund({
      chargeId: order.chargeId,
      amountCents: order.amountCents,
      currency: order.currency,
      idempotencyKey: providerRefundKey(order._id, order.refundKey),
      orderId: order._id,
    });

    const refunded = await this.deps.orders.markRefunded(order._id, refund.refundId);
    if (refunded) {
      logger.info({ orderId: refunded._id, refundId: refund.refundId }, 'order refunded');
      return refunded;
    }

    // payments-worker applied the `refunded` event first.
    const current = await this.deps.orders.findById(order._id);
    if (!current) {
      throw new Error(`order ${order._id} was deleted after refund ${refund.refundId}`);
    }
    return current;
  }
}
