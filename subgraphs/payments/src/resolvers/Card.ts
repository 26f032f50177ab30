import { isId, ownerOf } from '@heartfelt/kit';
import type { CardResolvers } from '../generated/resolvers';

export const Card: CardResolvers = {
  // The cards subgraph owns cards and checks access to them; this one only adds `order`.
  __resolveReference: (reference) => ({ id: reference.id }),

  async order(card, _args, { identity, loaders }) {
    const { id } = card;
    if (!identity.userId || !isId('card', id) || ownerOf(id) !== identity.userId) return null;
    return loaders.orderByCard.load(id);
  },
};
