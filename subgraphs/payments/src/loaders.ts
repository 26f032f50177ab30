import { createEntityLoader, createListLoader, type ServiceMetrics } from '@heartfelt/kit';
import type DataLoader from 'dataloader';
import type { OrderDocument } from './repository/documents';
import type { OrderRepository } from './repository/orders';

export interface Loaders {
  orderById: DataLoader<string, OrderDocument | null>;
  /** Orders by card id; a card has at most one because of the unique (ownerId, cardId) index. */
  ordersByCard: DataLoader<string, OrderDocument[]>;
}

/** Builds the DataLoaders of one request. */
export function createLoaders(orders: OrderRepository, metrics: ServiceMetrics): Loaders {
  return {
    // Orders skip the entity cache: a read racing with checkout's PENDING -> PAID update could
    // otherwise cache the PENDING order for the whole cache TTL.
    orderById: createEntityLoader({
      entity: 'order',
      load: (ids) => orders.findByIds(ids),
      idOf: (order) => order._id,
      metrics,
    }),
    ordersByCard: createListLoader({
      name: 'ordersByCard',
      load: (cardIds) => orders.findByCardIds(cardIds),
      parentOf: (order) => order.cardId,
      metrics,
    }),
  };
}
