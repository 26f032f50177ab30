import {
  createQueue,
  QueueName,
  type Redis,
  type ServiceKit,
  type SubgraphRouteHandler,
} from '@heartfelt/kit';
import type { MediaJobData } from '../jobs/media';
import type { CardRepository } from '../repository/cards';
import { PhotoFileStore } from '../repository/photoFiles';
import { PhotoRepository } from '../repository/photos';
import type { photoSettings } from './limits';
import { createPhotoRoutes } from './routes';

/** The photo parts of the cards subgraph. */
export interface PhotoParts {
  photos: PhotoRepository;
  files: PhotoFileStore;
  routes: Record<string, SubgraphRouteHandler>;
}

/**
 * Creates the photo repositories and indexes, the `media` queue producer (closed at shutdown)
 * and the upload and download routes.
 */
export async function setUpPhotos(
  kit: ServiceKit<typeof photoSettings>,
  cards: CardRepository,
  queueRedis: Redis,
): Promise<PhotoParts> {
  const photos = new PhotoRepository(kit.store.db);
  await photos.ensureIndexes();
  const files = new PhotoFileStore(kit.store.db);

  const queue = createQueue<MediaJobData>(QueueName.Media, queueRedis);
  kit.onShutdown(() => queue.close());

  const routes = createPhotoRoutes({
    cards,
    photos,
    files,
    queue,
    maxBytes: kit.settings.PHOTO_MAX_BYTES,
    logger: kit.logger,
  });
  return { photos, files, routes };
}
