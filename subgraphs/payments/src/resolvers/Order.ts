import { isId, ownerOf } from '@heartfelt/kit';
import type { OrderResolvers } from '../generated/resolvers';

export const Order: OrderResolvers = {
  id: (order) => order._id,
  card: (order) => ({ id: order.cardId }),

  async __resolveReference(reference, { identity, loaders }) {
    const { id } = reference;
    if (!identity.userId || !isId('order', id) || ownerOf(id) !== identity.userId) return null;
    // The id embeds the owner, and the stored owner is checked too, so a document whose id and
    // owner disagree is not served to the owner the id names.
    const order = await loaders.orderById.load(id);
    return order?.ownerId === identity.userId ? order : null;
  },
};
