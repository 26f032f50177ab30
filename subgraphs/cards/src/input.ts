import { badUserInput, isId, requireText, type IdKind } from '@heartfelt/kit';

/** Maximum length of a card's message, in characters after trimming. */
export const MAX_MESSAGE_LENGTH = 2000;

/** How far ahead a card may be scheduled, in years. */
export const MAX_SCHEDULE_AHEAD_YEARS = 2;

/** Returns `value` if it is a well-formed id of `kind`, or raises BAD_USER_INPUT naming `field`. */
export function requireId(kind: IdKind, value: string, field: string): string {
  if (!isId(kind, value)) {
    throw badUserInput(
      `"${field}" is not a valid ${kind} id: pass the id field of a ${kind} as the API returned it.`,
      field,
    );
  }
  return value;
}

/** Trims a card message and checks that it has 1 to {@link MAX_MESSAGE_LENGTH} characters. */
export function requireMessage(value: string): string {
  return requireText(value, 'message', { max: MAX_MESSAGE_LENGTH });
}

/**
 * Checks that `sendAt` is after `now` and at most {@link MAX_SCHEDULE_AHEAD_YEARS} years after
 * it, or raises BAD_USER_INPUT naming `field` (the argument the instant came from).
 */
export function requireSendAt(sendAt: Date, now: Date, field = 'sendAt'): Date {
  if (sendAt.getTime() <= now.getTime()) {
    throw badUserInput(
      `"${field}" must be in the future, received ${sendAt.toISOString()} at ${now.toISOString()}.`,
      field,
    );
  }
  const latest = new Date(now);
  latest.setUTCFullYear(latest.getUTCFullYear() + MAX_SCHEDULE_AHEAD_YEARS);
  if (sendAt.getTime() > latest.getTime()) {
    throw badUserInput(
      `"${field}" must be at most ${MAX_SCHEDULE_AHEAD_YEARS} years ahead (${latest.toISOString()}), ` +
        `received ${sendAt.toISOString()}.`,
      field,
    );
  }
  return sendAt;
}
