import { isId, ownerOf } from '@heartfelt/kit';
import type { Context } from '../context';
import type { CardResolvers } from '../generated/resolvers';
import type { CardDocument } from '../repository/documents';
import { loadCardPhotos } from './Photo';

/**
 * Loads a card through the request's entity loader if the caller owns it. Returns null for an
 * anonymous caller, a malformed id, a missing card and someone else's card alike.
 */
export async function loadViewerCard(context: Context, id: string): Promise<CardDocument | null> {
  const { userId } = context.identity;
  // The owner is part of the id, so someone else's card is not even loaded.
  if (userId === null || !isId('card', id) || ownerOf(id) !== userId) return null;
  const card = await context.loaders.cardById.load(id);
  return card && card.ownerId === userId ? card : null;
}

export const Card: CardResolvers = {
  id: (card) => card._id,
  owner: (card) => ({ id: card.ownerId }),
  template: (card) => ({ id: card.templateId }),
  recipient: (card) => ({ id: card.contactId }),
  photos: (card, _args, context) => loadCardPhotos(context, card),

  async __resolveReference(reference, context) {
    return loadViewerCard(context, reference.id);
  },
};
