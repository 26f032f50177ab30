import { ErrorCode, expectedError } from '@heartfelt/kit';
import type { GraphQLError } from 'graphql';
import type { OrderStatus } from './generated/resolvers';

/** Expected errors of checkout and refunds. Every code comes from the kit's ErrorCode. */

export const paymentDeclined = (): GraphQLError =>
  expectedError(ErrorCode.PaymentDeclined, 'The payment was declined; try another payment method.');

export const invalidPaymentToken = (): GraphQLError =>
  expectedError(
    ErrorCode.BadUserInput,
    'The payment provider rejected "paymentToken" as invalid; create a new token with its client library.',
    { field: 'paymentToken' },
  );

export const idempotencyKeyReused = (): GraphQLError =>
  expectedError(
    ErrorCode.IdempotencyKeyReused,
    'This idempotencyKey was used with different input; use a new key.',
  );

export const alreadyPaid = (cardId: string, orderId: string): GraphQLError =>
  expectedError(
    ErrorCode.AlreadyPaid,
    `Card ${JSON.stringify(cardId)} is already paid by order ${JSON.stringify(orderId)}.`,
    { orderId },
  );

/** A card's order was made with another idempotency key and is not PAID. */
export const checkoutConflict = (cardId: string, status: OrderStatus): GraphQLError =>
  expectedError(
    ErrorCode.Conflict,
    status === 'PENDING'
      ? `A checkout of card ${JSON.stringify(cardId)} with another idempotencyKey is in progress; ` +
          "retry with that key, or read the card's order later."
      : `Card ${JSON.stringify(cardId)} already has an order with status ${status}; it cannot be paid again.`,
    { status },
  );

/** A refund of an order that is not PAID. */
export const refundNotAllowed = (orderId: string, status: OrderStatus): GraphQLError =>
  expectedError(
    ErrorCode.InvalidStatusTransition,
    `Order ${JSON.stringify(orderId)} is ${status}; only a PAID order can be refunded.`,
    { status },
  );

/** A refund of an order whose refund was started with another idempotency key. */
export const refundInProgress = (orderId: string): GraphQLError =>
  expectedError(
    ErrorCode.Conflict,
    `A refund of order ${JSON.stringify(orderId)} with another idempotencyKey is in progress; ` +
      'retry with that key.',
  );
