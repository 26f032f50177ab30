import { newOwnedId, unauthenticated } from '@heartfelt/kit';
import { generationFailed } from '../errors';
import type { MutationResolvers } from '../generated/resolvers';
import { parseGenerationInput } from '../generation/parseGenerationInput';
import { runGeneration } from '../generation/runGeneration';
import type { GenerationDocument } from '../repository/documents';

export const Mutation: MutationResolvers = {
  /**
   * Records the generation as PENDING, then runs it within the request.
   * TODO: enqueue `runGeneration` as a queue job and return the PENDING generation instead.
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
      provider: context.provider.name,
      createdAt: new Date(),
      completedAt: null,
    };
    await context.generations.insert(generation);

    const result = await runGeneration(context, generation);
    if (result.status === 'FAILED') throw generationFailed(result);
    return result;
  },
};
