import type { EntityCache, Logger } from '@heartfelt/kit';
import type { GenerationStatus } from '../generated/resolvers';
import type { MessageProvider } from '../providers/messageProvider';
import type { GenerationDocument } from '../repository/documents';
import type { GenerationRepository } from '../repository/generations';

/** The dependencies of {@link runGeneration}, available in a request context and a worker alike. */
export interface GenerationDependencies {
  generations: GenerationRepository;
  provider: MessageProvider;
  cache: EntityCache;
  logger: Logger;
}

/**
 * Asks the provider for suggestions for a stored PENDING generation and stores the outcome:
 * COMPLETED with the suggestions, or FAILED with none when the provider raises. Returns the
 * generation as stored. The provider error is logged here and not raised.
 */
export async function runGeneration(
  dependencies: GenerationDependencies,
  generation: GenerationDocument,
): Promise<GenerationDocument> {
  const { generations, provider, cache, logger } = dependencies;

  let status: GenerationStatus;
  let suggestions: string[];
  try {
    suggestions = await provider.generate(generation.input);
    status = 'COMPLETED';
  } catch (error) {
    logger.warn(
      { err: error, generationId: generation._id, provider: provider.name },
      'message provider failed; generation marked FAILED',
    );
    suggestions = [];
    status = 'FAILED';
  }

  const outcome = { status, suggestions, completedAt: new Date() };
  await generations.complete(generation, outcome);
  await cache.invalidate('generation', [generation._id]);
  return { ...generation, ...outcome };
}
