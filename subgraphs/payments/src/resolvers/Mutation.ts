import type { MutationResolvers } from '../generated/resolvers';

export const Mutation: MutationResolvers = {
  async checkout(_parent, { input }, { identity, logger, checkout }) {
    const order = await checkout.checkout(identity, input, logger);
    return { order };
  },
};
