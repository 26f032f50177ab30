import { isId, ownerOf, unauthenticated } from '@heartfelt/kit';
import type { QueryResolvers } from '../generated/resolvers';

export const Query: QueryResolvers = {
  async order(_parent, { id }, { identity, loaders }) {
    if (!identity.userId) throw unauthenticated();
    // Someone else's order, like a malformed id, is simply not found.
    if (!isId('order', id) || ownerOf(id) !== identity.userId) return null;
    const order = await loaders.orderById.load(id);
    return order?.ownerId === identity.userId ? order : null;
  },
};
