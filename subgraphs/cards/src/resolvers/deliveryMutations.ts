import { requireUserId } from '../context';
import type { MutationResolvers } from '../generated/resolvers';
import { requireId } from '../input';
import { afterCardWrite } from './Mutation';

/** The delivery mutations, merged into `Mutation` in resolvers/index.ts. */
export const deliveryMutations: Pick<MutationResolvers, 'scheduleCard' | 'cancelCard'> = {
  async scheduleCard(_parent, args, context) {
    const userId = requireUserId(context);
    const id = requireId('card', args.id, 'id');
    const card = await context.scheduler.schedule(userId, id, {
      sendAt: args.sendAt,
      sendOn: args.sendOn,
    });
    await afterCardWrite(context, card);
    return card;
  },

  async cancelCard(_parent, args, context) {
    const userId = requireUserId(context);
    const id = requireId('card', args.id, 'id');
    const card = await context.scheduler.cancel(userId, id);
    await afterCardWrite(context, card);
    return card;
  },
};
