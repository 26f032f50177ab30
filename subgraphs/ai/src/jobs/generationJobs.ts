import { jobIdOf, type Redis } from '@heartfelt/kit';
import type { Queue } from 'bullmq';

/** Name of the jobs on the `ai-generation` queue. */
export const GENERATE_MESSAGE = 'generate-message';

/** Data of a `generate-message` job: the stored PENDING generation to run. */
export interface GenerationJobData {
  generationId: string;
}

/**
 * Time allowed for adding a job, in milliseconds. The queue Redis client waits through outages
 * rather than failing, so without this limit a request would hang until Redis returns.
 */
const ENQUEUE_TIMEOUT_MS = 5000;

/** Raised when a generation job could not be added to the queue. */
export class EnqueueError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EnqueueError';
  }
}

/** Adds `generate-message` jobs with the generation retry policy from the settings. */
export class GenerationJobProducer {
  constructor(
    private readonly queue: Queue<GenerationJobData>,
    private readonly connection: Redis,
    private readonly retry: { attempts: number; backoffMs: number },
  ) {}

  /**
   * Adds the job of a generation. Its id is derived from the generation id, so adding it twice
   * makes one job.
   *
   * @throws EnqueueError when the queue Redis is not connected or the add times out. A timed-out
   * add may still reach Redis later; the worker then finds the generation FAILED and skips it.
   */
  async enqueue(generationId: string): Promise<void> {
    if (this.connection.status !== 'ready') {
      throw new EnqueueError(`queue Redis is ${this.connection.status}`);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new EnqueueError(`adding the job timed out after ${ENQUEUE_TIMEOUT_MS} ms`)),
        ENQUEUE_TIMEOUT_MS,
      );
    });
    const added = this.queue.add(
      GENERATE_MESSAGE,
      { generationId },
      {
        jobId: jobIdOf('generation', generationId),
        attempts: this.retry.attempts,
        backoff: { type: 'exponential', delay: this.retry.backoffMs },
      },
    );
    // After a timeout `added` is no longer awaited, so its late rejection must not go unhandled.
    added.catch(() => undefined);
    try {
      await Promise.race([added, timeout]);
    } catch (error) {
      if (error instanceof EnqueueError) throw error;
      throw new EnqueueError('adding the job failed', { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}
