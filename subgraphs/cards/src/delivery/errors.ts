import { ErrorCode, expectedError } from '@heartfelt/kit';
import type { GraphQLError } from 'graphql';

/** PAYMENT_REQUIRED for a card whose order is missing or not PAID. */
export function paymentRequired(cardId: string, orderStatus: string | null): GraphQLError {
  const state = orderStatus === null ? 'has no order' : `has an order that is ${orderStatus}`;
  return expectedError(
    ErrorCode.PaymentRequired,
    `Card ${JSON.stringify(cardId)} ${state}: pay for it with checkout, then schedule it once ` +
      'its order is PAID.',
    { orderStatus },
  );
}

/** INVALID_STATUS_TRANSITION for a card whose email a worker is sending right now. */
export function deliveryStarted(cardId: string, action: string): GraphQLError {
  return expectedError(
    ErrorCode.InvalidStatusTransition,
    `Card ${JSON.stringify(cardId)} is being delivered now and cannot be ${action}; ` +
      'query it again in a moment to see it SENT.',
    { status: 'SCHEDULED' },
  );
}

/** CONFLICT for a schedule or cancel that lost a race with another request on the same card. */
export function concurrentScheduleChange(cardId: string): GraphQLError {
  return expectedError(
    ErrorCode.Conflict,
    `Card ${JSON.stringify(cardId)} was rescheduled or cancelled by another request meanwhile; ` +
      'query it and retry if the change is still wanted.',
  );
}

/** DEPENDENCY_FAILED when a delivery queue command times out. */
export function deliveryQueueUnavailable(cardId: string): GraphQLError {
  return expectedError(
    ErrorCode.DependencyFailed,
    `The delivery queue did not respond, so card ${JSON.stringify(cardId)} was left as it was; ` +
      'retry later.',
  );
}
