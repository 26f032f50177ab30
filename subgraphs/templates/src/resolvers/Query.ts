import { isId, parsePageRequest, toConnection } from '@heartfelt/kit';
import type { QueryResolvers } from '../generated/resolvers';
import { templatePageKey } from '../loaders';

export const Query: QueryResolvers = {
  async templates(_parent, args, { loaders }) {
    const page = parsePageRequest(args);
    const rows = await loaders.templatePage.load(
      templatePageKey({
        occasion: args.occasion ?? null,
        after: page.after,
        limit: page.first + 1,
      }),
    );
    return toConnection(
      rows,
      page.first,
      (row) => ({ value: row.popularity, id: row._id }),
      page.after !== null,
    );
  },

  async template(_parent, { id }, { loaders }) {
    // A malformed id cannot name a template, so it is simply not found.
    if (!isId('template', id)) return null;
    return loaders.templateById.load(id);
  },
};
