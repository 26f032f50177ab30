import type { MessageGenerationResolvers } from '../generated/resolvers';
import { loadOwnGeneration } from '../loaders';

export const MessageGeneration: MessageGenerationResolvers = {
  id: (generation) => generation._id,

  attempts: (generation) => generation.attempts ?? 0,

  /** Resolves only the caller's own generations; anyone else's, or an anonymous call, gets null. */
  async __resolveReference(reference, { identity, loaders }) {
    if (!identity.userId) return null;
    return loadOwnGeneration(loaders, identity.userId, reference.id);
  },
};
