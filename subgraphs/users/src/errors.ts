import { ErrorCode, expectedError } from '@heartfelt/kit';

export const emailTaken = (email: string) =>
  expectedError(
    ErrorCode.EmailTaken,
    `The email ${JSON.stringify(email)} is already registered: log in with it, or sign up with another email.`,
    { field: 'email' },
  );

/** The same error for an unknown email and a wrong password, so it does not reveal which. */
export const invalidCredentials = () =>
  expectedError(ErrorCode.InvalidCredentials, 'Email or password is incorrect.');

export const contactLimitExceeded = (maxContacts: number) =>
  expectedError(
    ErrorCode.LimitExceeded,
    `The address book already has the maximum of ${maxContacts} contacts, so no contact was added.`,
    { limit: maxContacts },
  );

export const contactsForbidden = () =>
  expectedError(ErrorCode.Forbidden, 'Contacts are visible only to their owner.');

/** The same error for an unknown, expired, revoked and reused refresh token. */
export const invalidRefreshToken = () =>
  expectedError(
    ErrorCode.Unauthenticated,
    'Refresh token is invalid, expired or revoked: log in again.',
  );

export const partnerKeysForbidden = (scope: string) =>
  expectedError(ErrorCode.Forbidden, `Managing partner keys needs the "${scope}" scope.`, {
    scope,
  });
