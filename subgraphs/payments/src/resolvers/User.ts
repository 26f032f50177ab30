import { forbidden, parsePageRequest, toConnection, unauthenticated } from '@heartfelt/kit';
import type { UserResolvers } from '../generated/resolvers';

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),

  async orders(user, args, { identity, orders }) {
    if (!identity.userId) throw unauthenticated();
    if (user.id !== identity.userId) {
      throw forbidden('Only the user themselves can read their orders.');
    }
    const page = parsePageRequest(args);
    const rows = await orders.findPageByOwner({
      ownerId: user.id,
      after: page.after,
      limit: page.first + 1,
    });
    return toConnection(
      rows,
      page.first,
      (row) => ({ value: row.createdAt.getTime(), id: row._id }),
      page.after !== null,
    );
  },
};
