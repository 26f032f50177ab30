import { isId, ownerOf } from '@heartfelt/kit';
import type { OrderResolvers } from '../generated/resolvers';

export const Order: OrderResolvers = {
  id: (order) => order._id,
  card: (order) => ({ id: order.cardId }),

  async __resolveReference(reference, { identity, loaders }) {
    const { id } = reference;
    if (!identity.userId || !isId('order', id) || ownerOf(id) !== identity.userId) return null;
    return loaders.orderById.load(id);
  },
};
