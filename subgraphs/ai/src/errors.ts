import { ErrorCode, expectedError, forbidden } from '@heartfelt/kit';
import type { GraphQLError } from 'graphql';

/** Creates the DEPENDENCY_FAILED error for a generation whose job could not be queued. */
export function generationNotQueued(generationId: string): GraphQLError {
  return expectedError(
    ErrorCode.DependencyFailed,
    `Message generation ${JSON.stringify(generationId)} failed because its job could not be ` +
      'queued (the job queue is unavailable); try again in a minute.',
    { generationId },
  );
}

/** Creates the error for a Card representation that lacks the `message` that `@requires` requests. */
export function missingCardMessage(cardId: string): GraphQLError {
  return expectedError(
    ErrorCode.BadUserInput,
    `Card representation ${JSON.stringify(cardId)} has no "message": Card.sentiment and ` +
      'Card.musicSuggestions need it, so resolve them through the gateway, which sends it.',
    { field: 'message' },
  );
}

/** Creates the error for reading another user's reminders. */
export function remindersForbidden(userId: string): GraphQLError {
  return forbidden(
    `Reminders of user ${JSON.stringify(userId)} are visible only to that user; read your own ` +
      'through me { reminders }.',
  );
}
