import type { QueryResolvers } from '../generated/resolvers';

export const Query: QueryResolvers = {
  async me(_parent, _args, { identity, loaders }) {
    if (identity.userId === null) return null;
    return loaders.userById.load(identity.userId);
  },
  partnerKeys: (_parent, _args, { identity, partnerKeys }) => partnerKeys.list(identity),
};
