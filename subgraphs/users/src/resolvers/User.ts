import { isId, unauthenticated } from '@heartfelt/kit';
import { isCaller } from '../context';
import { contactsForbidden } from '../errors';
import type { UserResolvers } from '../generated/resolvers';

export const User: UserResolvers = {
  id: (user) => user._id,

  // Anyone but the user themselves, signed in or not, gets null rather than an error.
  email: (user, _args, context) => (isCaller(context, user._id) ? user.email : null),

  async contacts(user, _args, context) {
    if (!isCaller(context, user._id)) {
      if (context.identity.userId === null) throw unauthenticated();
      throw contactsForbidden();
    }
    return context.loaders.contactsByUserId.load(user._id);
  },

  async __resolveReference(reference, { loaders }) {
    // A malformed id cannot name a user, so it is simply not found.
    if (!isId('user', reference.id)) return null;
    return loaders.userById.load(reference.id);
  },
};
