import type { BaseContext, EntityCache } from '@heartfelt/kit';
import type { PartnerKeyService } from './auth/partnerKeys';
import type { RefreshTokenService } from './auth/refreshTokens';
import type { Loaders } from './loaders';
import type { PasswordHasher } from './passwords';
import type { ContactRepository } from './repository/contacts';
import type { EmailRepository } from './repository/emails';
import type { UserRepository } from './repository/users';

/** The GraphQL context of one request. */
export interface Context extends BaseContext {
  loaders: Loaders;
  /**
   * Users who proved to be the caller during this request, by `signUp` or `logIn`, on top of
   * `identity.userId`. It lets the payload of those mutations show the user's own email.
   */
  signedInUserIds: Set<string>;
  users: UserRepository;
  emails: EmailRepository;
  contacts: ContactRepository;
  /** Entity cache behind the loaders. Write paths invalidate the entries they change. */
  cache: EntityCache;
  passwords: PasswordHasher;
  /** Issues an access token with the user's scopes and the configured lifetime. */
  issueAccessToken: (
    userId: string,
    scopes: readonly string[],
  ) => Promise<{ token: string; tokenExpiresAt: Date }>;
  refreshTokens: RefreshTokenService;
  partnerKeys: PartnerKeyService;
}

/** Returns true when the caller of this request is the user `userId`. */
export function isCaller(context: Context, userId: string): boolean {
  return context.identity.userId === userId || context.signedInUserIds.has(userId);
}
