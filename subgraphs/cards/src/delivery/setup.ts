import {
  createQueue,
  EntityClient,
  QueueName,
  type Redis,
  type ServiceKit,
  type SubgraphRouteHandler,
} from '@heartfelt/kit';
import type { DeliveryJobData } from '../jobs/delivery';
import { CARD_PAGE_PREFIX, cardPageRoute } from '../publicPage/route';
import type { CardRepository } from '../repository/cards';
import { DeliveryLookups } from './lookups';
import { DeliveryScheduler } from './scheduler';
import type { deliveryWorkerSettings, schedulingSettings } from './settings';

/** Settings the delivery parts of the cards subgraph read. */
type DeliverySettings = typeof schedulingSettings &
  Pick<typeof deliveryWorkerSettings, 'USERS_URL' | 'TEMPLATES_URL'>;

/** The delivery parts of the cards subgraph. */
export interface DeliveryParts {
  scheduler: DeliveryScheduler;
  /** The recipients' card pages, `/c/<token>`. */
  routes: Record<string, SubgraphRouteHandler>;
}

/**
 * Creates the `delivery` queue producer (closed at shutdown), the scheduler that the
 * scheduleCard and cancelCard mutations use, and the public card page route.
 */
export function setUpDelivery(
  kit: ServiceKit<DeliverySettings>,
  cards: CardRepository,
  queueRedis: Redis,
): DeliveryParts {
  const queue = createQueue<DeliveryJobData>(QueueName.Delivery, queueRedis);
  kit.onShutdown(() => queue.close());

  const entities = new EntityClient(
    {
      users: kit.settings.USERS_URL,
      templates: kit.settings.TEMPLATES_URL,
      payments: kit.settings.PAYMENTS_URL,
    },
    kit.config.SUBGRAPH_SIGNING_SECRET,
  );
  const lookups = new DeliveryLookups(entities);
  const scheduler = new DeliveryScheduler({ cards, queue, lookups, logger: kit.logger });
  const routes = {
    [CARD_PAGE_PREFIX]: cardPageRoute({ cards, lookups, cache: kit.cache, logger: kit.logger }),
  };
  return { scheduler, routes };
}
