import { unauthenticated, type BaseContext, type EntityCache } from '@heartfelt/kit';
import type { DeliveryScheduler } from './delivery/scheduler';
import type { Loaders } from './loaders';
import type { ReferenceChecker } from './references';
import type { CardRepository } from './repository/cards';
import type { PhotoFileStore } from './repository/photoFiles';
import type { PhotoRepository } from './repository/photos';

/** The GraphQL context of one request. */
export interface Context extends BaseContext {
  loaders: Loaders;
  cards: CardRepository;
  photos: PhotoRepository;
  /** Photo files in GridFS. */
  photoFiles: PhotoFileStore;
  references: ReferenceChecker;
  /** Schedules and cancels card deliveries. */
  scheduler: DeliveryScheduler;
  /** The Redis entity cache. Every write of a card invalidates the card's entry. */
  cache: EntityCache;
}

/** Returns the signed-in user's id, or raises UNAUTHENTICATED for an anonymous request. */
export function requireUserId(context: BaseContext): string {
  const { userId } = context.identity;
  if (userId === null) throw unauthenticated();
  return userId;
}
