import { isId, type EntityCache, type Logger } from '@heartfelt/kit';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
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

/** Delay before a job whose store call failed runs again, in ms. */
const STORE_RETRY_DELAY_MS = 5000;

/**
 * Age of a job after which a failing store call fails the job like any other error, so a store
 * that stays down does not keep the job forever. An estimate, far above a store restart.
 */
const STORE_RETRY_WINDOW_MS = 10 * 60_000;

/**
 * Creates the processor of `generate-message` jobs. It requests suggestions for a PENDING
 * generation from the provider and stores COMPLETED with them. A provider error is raised, so
 * that BullMQ retries the job with backoff, except on the job's last attempt, where the
 * generation is first stored as FAILED. A generation that is no longer PENDING is left as it is,
 * so a repeated job changes nothing.
 *
 * The job's few attempts are for provider errors. When a store or cache call fails instead,
 * the job is delayed and runs again without using an attempt. Otherwise a store outage longer
 * than the attempts' backoff would fail the job while nothing can record FAILED, and the
 * generation would stay PENDING for good.
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

  /** Delays the job after a failed store or cache call, or raises `error` once it is too old. */
  const retryWithoutAttempt = async (
    job: Job,
    token: string | undefined,
    generationId: string,
    error: unknown,
  ): Promise<never> => {
    if (token === undefined || Date.now() - job.timestamp > STORE_RETRY_WINDOW_MS) throw error;
    logger.warn(
      { err: error, jobId: job.id, generationId },
      `store or cache call failed; job runs again in ${STORE_RETRY_DELAY_MS} ms`,
    );
    await job.moveToDelayed(Date.now() + STORE_RETRY_DELAY_MS, token);
    throw new DelayedError();
  };

  return async (job: Job, token?: string): Promise<void> => {
    const { generationId } = parseJobData(job.data);
    let generation: Awaited<ReturnType<GenerationRepository['startAttempt']>>;
    try {
      generation = await generations.startAttempt(generationId);
    } catch (error) {
      return retryWithoutAttempt(job, token, generationId, error);
    }
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
        try {
          await finish(generationId, generation.ownerId, {
            status: 'FAILED',
            suggestions: [],
            provider: provider.name,
            completedAt: new Date(),
          });
        } catch (storeError) {
          return retryWithoutAttempt(job, token, generationId, storeError);
        }
        logger.warn(
          { err: error, generationId, provider: provider.name, attempts: generation.attempts },
          'message provider failed on the last attempt; generation marked FAILED',
        );
      }
      // Raised on the last attempt too, so the job is kept in the failed set for inspection.
      throw error;
    }

    try {
      await finish(generationId, generation.ownerId, {
        status: 'COMPLETED',
        suggestions,
        provider: provider.name,
        completedAt: new Date(),
      });
    } catch (error) {
      return retryWithoutAttempt(job, token, generationId, error);
    }
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
