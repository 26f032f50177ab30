import { GraphQLError } from 'graphql';

/**
 * The stable `extensions.code` values that clients may branch on. Every expected error in every
 * subgraph and in the gateway uses one of these; anything else reaches clients masked as
 * INTERNAL_SERVER_ERROR.
 */
export const ErrorCode = {
  BadUserInput: 'BAD_USER_INPUT',
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  NotFound: 'NOT_FOUND',
  Conflict: 'CONFLICT',
  EmailTaken: 'EMAIL_TAKEN',
  InvalidCredentials: 'INVALID_CREDENTIALS',
  InvalidStatusTransition: 'INVALID_STATUS_TRANSITION',
  PaymentDeclined: 'PAYMENT_DECLINED',
  /** The operation needs a paid order, such as scheduling a card that is not paid. */
  PaymentRequired: 'PAYMENT_REQUIRED',
  AlreadyPaid: 'ALREADY_PAID',
  IdempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
  LimitExceeded: 'LIMIT_EXCEEDED',
  /** A rate limit or a logIn lockout; the response is HTTP 429 with Retry-After. */
  RateLimited: 'RATE_LIMITED',
  DependencyFailed: 'DEPENDENCY_FAILED',
  /** A partner key marked safelist-only sent an operation that is not in the manifest. */
  PersistedQueryNotInSafelist: 'PERSISTED_QUERY_NOT_IN_SAFELIST',
  InternalServerError: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const expectedCodes = new Set<string>(Object.values(ErrorCode));

/** Codes produced by graphql-js and Apollo Server themselves, safe to show as they are. */
const frameworkCodes = new Set<string>([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** Returns true when an error code is one clients are meant to see unmasked. */
export function isExpectedCode(code: unknown): boolean {
  return (
    typeof code === 'string' &&
    code !== ErrorCode.InternalServerError &&
    (expectedCodes.has(code) || frameworkCodes.has(code))
  );
}

/** Creates an expected error: a GraphQLError whose code clients may rely on. */
export function expectedError(
  code: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...details } });
}

export const badUserInput = (message: string, field?: string): GraphQLError =>
  expectedError(ErrorCode.BadUserInput, message, field ? { field } : {});

export const notFound = (typename: string, id: string): GraphQLError =>
  expectedError(ErrorCode.NotFound, `${typename} ${JSON.stringify(id)} was not found.`, {
    typename,
  });

export const unauthenticated = (): GraphQLError =>
  expectedError(
    ErrorCode.Unauthenticated,
    'This operation requires a signed-in user: send "Authorization: Bearer <token>" from logIn.',
  );

export const forbidden = (message: string): GraphQLError =>
  expectedError(ErrorCode.Forbidden, message);
