import { unauthenticated } from '@heartfelt/kit';
import { remindersForbidden } from '../errors';
import type { UserResolvers } from '../generated/resolvers';

/** The user's reminders; ai stores nothing else about users, so a reference is just the id. */
export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),

  async reminders(user, _args, { identity, loaders }) {
    if (identity.userId === null) throw unauthenticated();
    if (identity.userId !== user.id) throw remindersForbidden(user.id);
    return loaders.upcomingRemindersByOwner.load(user.id);
  },
};
