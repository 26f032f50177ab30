import { ErrorCode, expectedError } from '@heartfelt/kit';
import type { GraphQLError } from 'graphql';
import type { GenerationDocument } from './repository/documents';

/** Creates the DEPENDENCY_FAILED error for a generation whose provider failed. */
export function generationFailed(generation: GenerationDocument): GraphQLError {
  return expectedError(
    ErrorCode.DependencyFailed,
    `Message generation ${JSON.stringify(generation._id)} failed because the ` +
      `${generation.provider} message provider returned an error; try again in a minute.`,
    { generationId: generation._id },
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
