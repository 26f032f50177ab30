import type { JobsOptions, Queue } from 'bullmq';
import Redis from 'ioredis';
import type { Logger } from './logger';
import { TracedQueue } from './telemetry/jobSpans';

/** The queues of the graph, by the work they carry. */
export const QueueName = {
  /** Sending a scheduled card at its `sendAt`. Producer: cards. Worker: cards-worker. */
  Delivery: 'delivery',
  /** Resizing and thumbnailing uploaded photos. Producer: cards. Worker: cards-worker. */
  Media: 'media',
  /** Writing message suggestions. Producer: ai. Worker: ai-worker. */
  Generation: 'ai-generation',
  /**
   * The daily birthday scan, run by a job scheduler. Producer: the scheduler that users-worker
   * registers. Worker: users-worker.
   */
  BirthdayScan: 'birthday-scan',
  /** Drafting one birthday reminder. Producer: users-worker's birthday scan. Worker: ai-worker. */
  Reminders: 'reminders',
  /** Payment provider events (succeeded, failed, refunded). Producer: payments. Worker: payments-worker. */
  PaymentEvents: 'payment-events',
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Key prefix of every queue in the queue Redis. */
export const QUEUE_PREFIX = 'hf';

/**
 * Retry policy of every job unless its producer sets another: up to 8 attempts with
 * exponential backoff from 2 s (2, 4, 8 … 128 s between attempts, about 4 minutes in all).
 * Completed jobs are kept for a week for inspection; failed jobs are kept until removed.
 */
export const defaultJobOptions: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: false,
};

/**
 * Connects to the queue Redis. Unlike the cache client, this one waits through outages
 * (BullMQ requires `maxRetriesPerRequest: null`): a job that cannot be enqueued must make the
 * request fail or wait, never vanish.
 */
export function createQueueRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.error({ err: error.message }, 'queue Redis unavailable; jobs wait until it returns');
  });
  redis.on('ready', () => {
    if (down) logger.info('queue Redis is back');
    down = false;
  });
  return redis;
}

/**
 * Creates a producer for one queue with the shared retry policy. Each job carries the trace
 * context of the request or job that added it.
 */
export function createQueue<Data>(name: QueueName, connection: Redis): Queue<Data> {
  return new TracedQueue<Data>(name, { connection, prefix: QUEUE_PREFIX, defaultJobOptions });
}

/**
 * Builds a job id from domain ids, so that enqueuing the same work twice names one job:
 * BullMQ ignores an `add` whose id already exists. Parts are joined with '.', since BullMQ
 * reserves ':' in keys.
 */
export function jobIdOf(...parts: string[]): string {
  for (const part of parts) {
    if (part.includes(':') || part.length === 0) {
      throw new TypeError(`jobIdOf: part ${JSON.stringify(part)} is empty or contains ':'`);
    }
  }
  return parts.join('.');
}
