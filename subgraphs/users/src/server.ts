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
import type { Context } from './context';
import { createLoaders } from './loaders';
import { PasswordHasher } from './passwords';
import { ContactRepository } from './repository/contacts';
import { EmailRepository } from './repository/emails';
import { UserRepository } from './repository/users';
import { resolvers } from './resolvers';

/** Settings of the users subgraph on top of the common ones. */
const usersSettings = {
  /** HMAC secret of client access tokens. The gateway verifies them with the same secret. */
  JWT_SECRET: secretSetting(),
  /** Lifetime of an access token from signUp or logIn, in seconds. Default one hour. */
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86400).default(3600),
};

async function main(): Promise<void> {
  const kit = await createServiceKit('users', 4001, usersSettings);
  const { JWT_SECRET, ACCESS_TOKEN_TTL_SECONDS } = kit.settings;

  const users = new UserRepository(kit.store.db);
  const emails = new EmailRepository(kit.store.db);
  const contacts = new ContactRepository(kit.store.db);
  await Promise.all([users.ensureIndexes(), emails.ensureIndexes(), contacts.ensureIndexes()]);
  const passwords = await PasswordHasher.create(kit.metrics.registry);

  await startSubgraph<Context, typeof usersSettings>(kit, {
    typeDefs: loadTypeDefs(join(__dirname, '..', 'src', 'schema.graphql')),
    resolvers,
    context: (base) => ({
      ...base,
      users,
      emails,
      contacts,
      cache: kit.cache,
      signedInUserIds: new Set<string>(),
      passwords,
      issueAccessToken: (userId) => issueAccessToken(userId, JWT_SECRET, ACCESS_TOKEN_TTL_SECONDS),
      loaders: createLoaders({ users, contacts }, kit.metrics, kit.cache),
    }),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`users: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
