import type { MutationResolvers } from '../generated/resolvers';

export const Mutation: MutationResolvers = {
  async checkout(_parent, { input }, { identity, logger, checkout }) {
    const order = await checkout.checkout(identity, input, logger);
    return { order };
  },

  async refundOrder(_parent, { id, idempotencyKey }, { identity, logger, refunds }) {
    const order = await refunds.refund(identity, id, idempotencyKey, logger);
    return { order };
  },
};
