import { createEntityLoader, type EntityCache, type ServiceMetrics } from '@heartfelt/kit';
import DataLoader from 'dataloader';
import type { OrderDocument } from './repository/documents';
import {
  ORDER_BY_CARD_ENTITY,
  ORDER_ENTITY,
  type CardOrderLink,
  type OrderRepository,
} from './repository/orders';

export interface Loaders {
  orderById: DataLoader<string, OrderDocument | null>;
  /** The order of each card, or null; one at most, by the unique (ownerId, cardId) index. */
  orderByCard: DataLoader<string, OrderDocument | null>;
}

/**
 * Builds the DataLoaders of one request. Orders by id and the card-to-order links go through
 * the entity cache; OrderRepository drops the entries on every write, and the cache's
 * version-checked write-back keeps a read that raced with a write (checkout's PENDING -> PAID,
 * say) from putting the older value back.
 */
export function createLoaders(
  orders: OrderRepository,
  metrics: ServiceMetrics,
  cache?: EntityCache,
): Loaders {
  const orderById = createEntityLoader({
    entity: ORDER_ENTITY,
    load: (ids) => orders.findByIds(ids),
    idOf: (order) => order._id,
    metrics,
    cache,
  });
  const linkByCard = createEntityLoader<CardOrderLink>({
    entity: ORDER_BY_CARD_ENTITY,
    load: async (cardIds) => orders.findLinksByCardIds(cardIds),
    idOf: (link) => link.cardId,
    metrics,
    cache,
  });
  const orderByCard = new DataLoader<string, OrderDocument | null>(async (cardIds) => {
    const links = await linkByCard.loadMany(cardIds);
    return links.map((link) => {
      if (link instanceof Error) return link;
      // A later reference to the order in this request then skips the cache and the store.
      if (link?.order) orderById.prime(link.order._id, link.order);
      return link?.order ?? null;
    });
  });
  return { orderById, orderByCard };
}
