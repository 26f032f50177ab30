import { badUserInput } from '@heartfelt/kit';

const idempotencyKeyPattern = /^[A-Za-z0-9_\-:.]{8,100}$/;

/**
 * Checks a client's idempotency key: 8 to 100 characters of A-Z, a-z, 0-9, "_", "-", ":" or
 * ".". Returns the key, or raises BAD_USER_INPUT on the `idempotencyKey` field.
 */
export function requireIdempotencyKey(idempotencyKey: string): string {
  if (idempotencyKeyPattern.test(idempotencyKey)) return idempotencyKey;
  const problem =
    idempotencyKey.length < 8 || idempotencyKey.length > 100
      ? `has ${idempotencyKey.length} characters`
      : 'contains other characters';
  throw badUserInput(
    `"idempotencyKey" must be 8 to 100 characters of A-Z, a-z, 0-9, "_", "-", ":" or ".", but it ${problem}; ` +
      'generate one per attempt, such as a UUID.',
    'idempotencyKey',
  );
}
