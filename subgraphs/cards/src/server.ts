import './tracing';
import { join } from 'node:path';
import {
  createQueueRedis,
  createServiceKit,
  EntityClient,
  loadTypeDefs,
  startSubgraph,
  urlSetting,
  workerSettings,
} from '@heartfelt/kit';
import type { Context } from './context';
import { setUpDelivery } from './delivery/setup';
import { schedulingSettings } from './delivery/settings';
import { createLoaders } from './loaders';
import { photoSettings } from './photos/limits';
import { setUpPhotos } from './photos/setup';
import { ReferenceChecker } from './references';
import { CardPageCache } from './cardPageCache';
import { CardRepository } from './repository/cards';
import { resolvers } from './resolvers';

/** Settings of the cards subgraph on top of the common ones. */
const cardsSettings = {
  /** GraphQL endpoint of the users subgraph, which owns contacts. */
  USERS_URL: urlSetting().default('http://127.0.0.1:4001/graphql'),
  /** GraphQL endpoint of the templates subgraph. */
  TEMPLATES_URL: urlSetting().default('http://127.0.0.1:4003/graphql'),
  ...photoSettings,
  ...schedulingSettings,
  /** QUEUE_REDIS_URL, for the producers of the cards queues. */
  ...workerSettings,
};

async function main(): Promise<void> {
  const kit = await createServiceKit('cards', 4002, cardsSettings);
  const cardPages = new CardPageCache(kit.redis, kit.metrics, kit.config.ENTITY_CACHE_TTL_SECONDS);
  const cards = new CardRepository(kit.store.db, cardPages);
  await cards.ensureIndexes();

  const queueRedis = createQueueRedis(kit.settings.QUEUE_REDIS_URL, kit.logger);
  kit.onShutdown(async () => {
    await queueRedis.quit().catch(() => queueRedis.disconnect());
  });
  const photoParts = await setUpPhotos(kit, cards, queueRedis);
  const deliveryParts = setUpDelivery(kit, cards, queueRedis);

  const entities = new EntityClient(
    { users: kit.settings.USERS_URL, templates: kit.settings.TEMPLATES_URL },
    kit.config.SUBGRAPH_SIGNING_SECRET,
  );
  const references = new ReferenceChecker(entities);

  await startSubgraph<Context, typeof cardsSettings>(kit, {
    typeDefs: loadTypeDefs(join(__dirname, '..', 'src', 'schema.graphql')),
    resolvers,
    routes: { ...photoParts.routes, ...deliveryParts.routes },
    context: (base) => ({
      ...base,
      cards,
      photos: photoParts.photos,
      photoFiles: photoParts.files,
      references,
      scheduler: deliveryParts.scheduler,
      cache: kit.cache,
      loaders: createLoaders(cards, kit.metrics, kit.cache, photoParts.photos, cardPages),
    }),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`cards: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
