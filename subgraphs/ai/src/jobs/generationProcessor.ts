import { isId, type EntityCache, type Logger } from '@heartfelt/kit';
import { UnrecoverableError, type Job } from 'bullmq';
import { GENERATION_ENTITY } from '../loaders';
import type { MessageProvider } from '../providers/messageProvider';
import type { GenerationOutcome, GenerationRepository } from '../repository/generations';
import type { GenerationJobData } from './generationJobs';

/** Dependencies of the generation processor. */
export interface GenerationProcessorDependencies {
  generations: GenerationRepository;
  provider: MessageProvider;
  cache: EntityCache;
  logger: Logger;
}

/**
 * Creates the processor of `generate-message` jobs. It requests suggestions for a PENDING
 * generation from the provider and stores COMPLETED with them. A provider error is raised, so
 * that BullMQ retries the job with backoff, except on the job's last attempt, where the
 * generation is first stored as FAILED. A generation that is no longer PENDING is left as it is,
 * so a repeated job changes nothing.
 *
 * NOTE: a job that stalls more often than the worker's `maxStalledCount` (2) is failed by BullMQ
 * without calling this processor again, which leaves its generation PENDING.
 */
export function createGenerationProcessor(dependencies: GenerationProcessorDependencies) {
  const { generations, provider, cache, logger } = dependencies;

  const finish = async (generationId: string, ownerId: string, outcome: GenerationOutcome) => {
    await generations.complete({ _id: generationId, ownerId }, outcome);
    await cache.invalidate(GENERATION_ENTITY, [generationId]);
  };

  return async (job: Job): Promise<void> => {
    const { generationId } = parseJobData(job.data);
    const generation = await generations.startAttempt(generationId);
    if (generation === null) {
      logger.info({ jobId: job.id, generationId }, 'generation is not PENDING; job skipped');
      return;
    }
    await cache.invalidate(GENERATION_ENTITY, [generationId]);

    let suggestions: string[];
    try {
      suggestions = await provider.generate(generation.input);
    } catch (error) {
      // `attemptsMade` counts the attempts that ended before this one.
      const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (isLastAttempt) {
        await finish(generationId, generation.ownerId, {
          status: 'FAILED',
          suggestions: [],
          provider: provider.name,
          completedAt: new Date(),
        });
        logger.warn(
          { err: error, generationId, provider: provider.name, attempts: generation.attempts },
          'message provider failed on the last attempt; generation marked FAILED',
        );
      }
      // Raised on the last attempt too, so the job is kept in the failed set for inspection.
      throw error;
    }

    await finish(generationId, generation.ownerId, {
      status: 'COMPLETED',
      suggestions,
      provider: provider.name,
      completedAt: new Date(),
    });
  };
}

function parseJobData(data: unknown): GenerationJobData {
  const generationId = (data as Partial<GenerationJobData> | null)?.generationId;
  if (!isId('generation', generationId)) {
    throw new UnrecoverableError(
      `generate-message job data has no valid generationId, received ${JSON.stringify(data)}`,
    );
  }
  return { generationId };
}
