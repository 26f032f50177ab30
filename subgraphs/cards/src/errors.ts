import { ErrorCode, expectedError } from '@heartfelt/kit';
import type { GraphQLError } from 'graphql';
import type { CardStatus } from './generated/resolvers';

/**
 * Creates the INVALID_STATUS_TRANSITION error for a card whose status does not allow `action`.
 * `allowed` lists the statuses that do, for the message.
 */
export function invalidStatusTransition(
  cardId: string,
  status: CardStatus,
  action: string,
  allowed: readonly CardStatus[],
): GraphQLError {
  return expectedError(
    ErrorCode.InvalidStatusTransition,
    `Card ${JSON.stringify(cardId)} is ${status} and cannot be ${action}: ` +
      `only ${allowed.join(' or ')} cards can be ${action}.`,
    { status },
  );
}
