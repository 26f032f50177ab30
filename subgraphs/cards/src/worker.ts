import './workerTracing';
import {
  createServiceKit,
  EntityClient,
  runWorkers,
  workerSettings,
  type WorkerDefinition,
} from '@heartfelt/kit';
import { DeliveryLookups } from './delivery/lookups';
import { createMailer } from './delivery/mail';
import { deliveryWorkerSettings } from './delivery/settings';
import { deliveryWorker } from './jobs/delivery';
import { mediaWorker } from './jobs/media';
import { CardPageCache } from './cardPageCache';
import { CardRepository } from './repository/cards';
import { DeliveryRepository } from './repository/deliveries';
import { PhotoFileStore } from './repository/photoFiles';
import { PhotoRepository } from './repository/photos';

/** Settings of the cards worker on top of the common ones. */
const cardsWorkerSettings = { ...workerSettings, ...deliveryWorkerSettings };

/**
 * Runs the cards worker: it delivers scheduled cards from the `delivery` queue and processes
 * uploaded photos from the `media` queue.
 */
async function main(): Promise<void> {
  const kit = await createServiceKit('cards-worker', 4102, cardsWorkerSettings);
  const { settings } = kit;

  const cards = new CardRepository(
    kit.store.db,
    new CardPageCache(kit.redis, kit.metrics, kit.config.ENTITY_CACHE_TTL_SECONDS),
  );
  const deliveries = new DeliveryRepository(kit.store.db);
  const entities = new EntityClient(
    { users: settings.USERS_URL, templates: settings.TEMPLATES_URL },
    kit.config.SUBGRAPH_SIGNING_SECRET,
  );
  const mailer = createMailer(settings, kit.logger);
  kit.onShutdown(() => mailer.close());

  await runWorkers(kit, [
    deliveryWorker({
      cards,
      deliveries,
      lookups: new DeliveryLookups(entities),
      mailer,
      cache: kit.cache,
      logger: kit.logger,
      publicBaseUrl: settings.PUBLIC_BASE_URL,
      mailFrom: settings.MAIL_FROM,
      testDelayAfterSendMs: settings.DELIVERY_TEST_DELAY_AFTER_SEND_MS,
    }) as WorkerDefinition,
    mediaWorker({
      photos: new PhotoRepository(kit.store.db),
      files: new PhotoFileStore(kit.store.db),
      logger: kit.logger,
    }) as WorkerDefinition,
  ]);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `cards-worker: failed to start: ${(error as Error).stack ?? String(error)}\n`,
  );
  process.exit(1);
});
