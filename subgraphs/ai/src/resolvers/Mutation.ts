import { newOwnedId, unauthenticated } from '@heartfelt/kit';
import { generationNotQueued } from '../errors';
import type { MutationResolvers } from '../generated/resolvers';
import { parseGenerationInput } from '../generation/parseGenerationInput';
import { GENERATION_ENTITY } from '../loaders';
import type { GenerationDocument } from '../repository/documents';

export const Mutation: MutationResolvers = {
  /**
   * Stores the generation as PENDING, queues its job for ai-worker and returns at once. When the
   * job cannot be queued, the generation is stored as FAILED, so none stays PENDING without a job.
   */
  async generateMessage(_parent, { input }, context) {
    const userId = context.identity.userId;
    if (!userId) throw unauthenticated();
    // Validation comes first, so that invalid input stores nothing.
    const parsed = parseGenerationInput(input);

    const generation: GenerationDocument = {
      _id: newOwnedId('generation', userId),
      ownerId: userId,
      input: parsed,
      status: 'PENDING',
      suggestions: [],
      provider: context.providerName,
      attempts: 0,
      createdAt: new Date(),
      completedAt: null,
    };
    // NOTE: a process that dies between this insert and the enqueue below leaves the generation
    // PENDING without a job; nothing sweeps such generations yet.
    await context.generations.insert(generation);
    // The id is new, so this drops nothing today, but every write invalidates what it wrote.
    await context.cache.invalidate(GENERATION_ENTITY, [generation._id]);

    try {
      await context.generationJobs.enqueue(generation._id);
    } catch (error) {
      context.logger.error(
        { err: error, generationId: generation._id },
        'failed to queue a generation job; generation marked FAILED',
      );
      await context.generations.complete(generation, {
        status: 'FAILED',
        suggestions: [],
        provider: context.providerName,
        completedAt: new Date(),
      });
      await context.cache.invalidate(GENERATION_ENTITY, [generation._id]);
      throw generationNotQueued(generation._id);
    }
    return generation;
  },
};
