import { join } from 'node:path';
import {
  createServiceKit,
  EntityClient,
  loadTypeDefs,
  startSubgraph,
  urlSetting,
} from '@heartfelt/kit';
import type { Context } from './context';
import { createLoaders } from './loaders';
import { ReferenceChecker } from './references';
import { CardRepository } from './repository/cards';
import { resolvers } from './resolvers';

/** Settings of the cards subgraph on top of the common ones. */
const cardsSettings = {
  /** GraphQL endpoint of the users subgraph, which owns contacts. */
  USERS_URL: urlSetting().default('http://127.0.0.1:4001/graphql'),
  /** GraphQL endpoint of the templates subgraph. */
  TEMPLATES_URL: urlSetting().default('http://127.0.0.1:4003/graphql'),
};

async function main(): Promise<void> {
  const kit = await createServiceKit('cards', 4002, cardsSettings);
  const cards = new CardRepository(kit.store.db);
  await cards.ensureIndexes();

  const entities = new EntityClient(
    { users: kit.settings.USERS_URL, templates: kit.settings.TEMPLATES_URL },
    kit.config.SUBGRAPH_SIGNING_SECRET,
  );
  const references = new ReferenceChecker(entities);

  await startSubgraph<Context, typeof cardsSettings>(kit, {
    typeDefs: loadTypeDefs(join(__dirname, '..', 'src', 'schema.graphql')),
    resolvers,
    context: (base) => ({
      ...base,
      cards,
      references,
      cache: kit.cache,
      loaders: createLoaders(cards, kit.metrics, kit.cache),
    }),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`cards: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
