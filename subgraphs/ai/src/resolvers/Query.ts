import { unauthenticated } from '@heartfelt/kit';
import type { QueryResolvers } from '../generated/resolvers';
import { loadOwnGeneration } from '../loaders';

export const Query: QueryResolvers = {
  async messageGeneration(_parent, { id }, { identity, loaders }) {
    if (!identity.userId) throw unauthenticated();
    return loadOwnGeneration(loaders, identity.userId, id);
  },
};
