import { requireUserId } from '../context';
import type { QueryResolvers } from '../generated/resolvers';
import { loadViewerCard } from './Card';

export const Query: QueryResolvers = {
  async card(_parent, { id }, context) {
    requireUserId(context);
    return loadViewerCard(context, id);
  },
};
