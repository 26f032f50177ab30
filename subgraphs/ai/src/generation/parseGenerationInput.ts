import { randomInt } from 'node:crypto';
import { requireText } from '@heartfelt/kit';
import type { GenerateMessageInput } from '../generated/resolvers';
import type { GenerationInput } from '../repository/documents';

/** Input limits, in characters after trimming and collapsing whitespace. */
export const MAX_RECIPIENT_NAME_LENGTH = 80;
export const MAX_RELATIONSHIP_LENGTH = 40;
export const MAX_DETAILS_LENGTH = 500;

/**
 * Validates a `generateMessage` input and returns it normalized. Text is trimmed with whitespace
 * runs collapsed to one space, but details keep their line breaks. Empty details become null,
 * the tone defaults to WARM, and a missing seed is replaced by a random one, so that the stored
 * input reproduces the suggestions.
 *
 * @throws GraphQLError BAD_USER_INPUT naming the first invalid field.
 */
export function parseGenerationInput(input: GenerateMessageInput): GenerationInput {
  const recipientName = requireText(collapse(input.recipientName), 'recipientName', {
    max: MAX_RECIPIENT_NAME_LENGTH,
  });
  const relationship = requireText(collapse(input.relationship), 'relationship', {
    max: MAX_RELATIONSHIP_LENGTH,
  });
  const details = requireText(collapseLines(input.details ?? ''), 'details', {
    min: 0,
    max: MAX_DETAILS_LENGTH,
  });

  return {
    occasion: input.occasion,
    recipientName,
    relationship,
    tone: input.tone ?? 'WARM',
    details: details === '' ? null : details,
    // GraphQL Int is a signed 32-bit integer; a generated seed uses the non-negative half.
    seed: input.seed ?? randomInt(0, 2 ** 31 - 1),
  };
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/** Collapses whitespace within each line and drops blank lines. */
function collapseLines(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => collapse(line).trim())
    .filter((line) => line !== '')
    .join('\n');
}
