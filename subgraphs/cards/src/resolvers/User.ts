import { forbidden, parsePageRequest, toConnection } from '@heartfelt/kit';
import { requireUserId } from '../context';
import type { UserResolvers } from '../generated/resolvers';

export const User: UserResolvers = {
  // The users subgraph owns users, so this subgraph only adds fields to the reference.
  __resolveReference: (reference) => reference,

  async cards(user, args, context) {
    const viewerId = requireUserId(context);
    if (user.id !== viewerId) {
      throw forbidden(
        'A user\'s cards are readable only by that user: query "cards" on your own user.',
      );
    }
    const page = parsePageRequest(args);
    const rows = await context.loaders.cardPage.load({
      ownerId: viewerId,
      status: args.status ?? null,
      first: page.first,
      after: page.after,
    });
    // A later reference to one of these cards in the same request then skips the store.
    for (const row of rows) context.loaders.cardById.prime(row._id, row);

    return toConnection(
      rows,
      page.first,
      (row) => ({ value: row.createdAt.getTime(), id: row._id }),
      page.after !== null,
    );
  },
};
