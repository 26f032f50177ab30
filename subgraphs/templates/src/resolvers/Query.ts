import { isId, parsePageRequest, toConnection } from '@heartfelt/kit';
import type { QueryResolvers } from '../generated/resolvers';

export const Query: QueryResolvers = {
  async templates(_parent, args, { templates }) {
    const page = parsePageRequest(args);
    const rows = await templates.findPage({
      occasion: args.occasion ?? null,
      after: page.after,
      limit: page.first + 1,
    });
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
