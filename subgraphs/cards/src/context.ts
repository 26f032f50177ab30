import { unauthenticated, type BaseContext, type EntityCache } from '@heartfelt/kit';
import type { Loaders } from './loaders';
import type { ReferenceChecker } from './references';
import type { CardRepository } from './repository/cards';

/** The GraphQL context of one request. */
export interface Context extends BaseContext {
  loaders: Loaders;
  cards: CardRepository;
  references: ReferenceChecker;
  /** The Redis entity cache. Every write of a card invalidates the card's entry. */
  cache: EntityCache;
}

/** Returns the signed-in user's id, or raises UNAUTHENTICATED for an anonymous request. */
export function requireUserId(context: BaseContext): string {
  const { userId } = context.identity;
  if (userId === null) throw unauthenticated();
  return userId;
}
