import './tracing';
import { join } from 'node:path';
import {
  createServiceKit,
  issueAccessToken,
  loadTypeDefs,
  secretSetting,
  startSubgraph,
} from '@heartfelt/kit';
import { z } from 'zod';
import { partnerKeyLookupRoute, PARTNER_KEY_LOOKUP_PATH } from './auth/partnerKeyRoute';
import { PartnerKeyService } from './auth/partnerKeys';
import { RefreshTokenService } from './auth/refreshTokens';
import type { Context } from './context';
import { createLoaders } from './loaders';
import { PasswordHasher } from './passwords';
import { ContactRepository } from './repository/contacts';
import { EmailRepository } from './repository/emails';
import { PartnerKeyRepository } from './repository/partnerKeys';
import { RefreshTokenRepository } from './repository/refreshTokens';
import { UserRepository } from './repository/users';
import { resolvers } from './resolvers';

/** Settings of the users subgraph on top of the common ones. */
const usersSettings = {
  /** HMAC secret of client access tokens. The gateway verifies them with the same secret. */
  JWT_SECRET: secretSetting(),
  /** Lifetime of an access token, in seconds. Default 15 minutes. */
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86400).default(900),
  /** Lifetime of a refresh token, in seconds; each use replaces it. Default 30 days. */
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .max(365 * 86400)
    .default(30 * 86400),
};

async function main(): Promise<void> {
  const kit = await createServiceKit('users', 4001, usersSettings);
  const { JWT_SECRET, ACCESS_TOKEN_TTL_SECONDS, REFRESH_TOKEN_TTL_SECONDS } = kit.settings;

  const users = new UserRepository(kit.store.db);
  const emails = new EmailRepository(kit.store.db);
  const contacts = new ContactRepository(kit.store.db);
  await Promise.all([users.ensureIndexes(), emails.ensureIndexes(), contacts.ensureIndexes()]);
  const passwords = await PasswordHasher.create(kit.metrics.registry);
  const refreshTokens = new RefreshTokenService(
    new RefreshTokenRepository(kit.store.db),
    REFRESH_TOKEN_TTL_SECONDS,
    kit.logger,
  );
  const partnerKeys = new PartnerKeyService(
    new PartnerKeyRepository(kit.store.db),
    kit.redis,
    kit.logger,
  );
  const issueToken = async (userId: string, scopes: readonly string[]) => ({
    token: await issueAccessToken(userId, JWT_SECRET, ACCESS_TOKEN_TTL_SECONDS, scopes),
    tokenExpiresAt: new Date(Date.now() + ACCESS_TOKEN_TTL_SECONDS * 1000),
  });

  await startSubgraph<Context, typeof usersSettings>(kit, {
    typeDefs: loadTypeDefs(join(__dirname, '..', 'src', 'schema.graphql')),
    resolvers,
    routes: { [PARTNER_KEY_LOOKUP_PATH]: partnerKeyLookupRoute(partnerKeys) },
    context: (base) => ({
      ...base,
      users,
      emails,
      contacts,
      cache: kit.cache,
      signedInUserIds: new Set<string>(),
      passwords,
      issueAccessToken: issueToken,
      refreshTokens,
      partnerKeys,
      loaders: createLoaders({ users, contacts }, kit.metrics, kit.cache),
    }),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`users: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
