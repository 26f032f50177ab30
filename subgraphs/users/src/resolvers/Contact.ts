import { isId, ownerOf } from '@heartfelt/kit';
import type { ContactResolvers } from '../generated/resolvers';

export const Contact: ContactResolvers = {
  id: (contact) => contact._id,

  /**
   * Resolves only the caller's own contacts: someone else's contact, a malformed id and an
   * anonymous caller all get null, so the response does not reveal which contacts exist.
   */
  async __resolveReference(reference, { identity, loaders }) {
    if (!isId('contact', reference.id)) return null;
    // The id embeds its owner, so a contact of someone else is rejected without a store read.
    if (identity.userId === null || ownerOf(reference.id) !== identity.userId) return null;
    const contact = await loaders.contactById.load(reference.id);
    return contact?.userId === identity.userId ? contact : null;
  },
};
