import { Worker, type Processor, type Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { z } from 'zod';
import { drainOnTerminationSignal } from './shutdown';
import { startHttpServer } from './httpServer';
import { traceProcessor } from './telemetry/jobSpans';
import { createQueue, createQueueRedis, QUEUE_PREFIX, type QueueName } from './queues';
import type { ServiceKit } from './service';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

/** Settings every worker process reads besides the service settings. */
export const workerSettings = {
  /** The queue Redis; its eviction policy must be `noeviction`. */
  QUEUE_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6381'),
  /** Time allowed for active jobs to finish on shutdown, in milliseconds. */
  WORKER_DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).default(20_000),
  /**
   * How long a worker holds a job's lock without renewing it, in milliseconds. A worker that
   * dies leaves its job locked this long before another worker retries it as stalled.
   */
  WORKER_LOCK_DURATION_MS: z.coerce.number().int().min(1000).default(30_000),
};

/** One queue a worker process consumes. */
export interface WorkerDefinition<Data = unknown> {
  queue: QueueName;
  processor: Processor<Data>;
  /** Jobs of this queue processed at once. Default 4. */
  concurrency?: number;
}

/**
 * Runs a worker process: consumes the given queues, serves `/healthz`, `/readyz` (store,
 * cache and queue Redis) and `/metrics` (with queue depth) on the kit's PORT, and on SIGTERM
 * stops taking jobs and lets active ones finish for up to WORKER_DRAIN_TIMEOUT_MS. A job still
 * running after that is left locked and BullMQ hands it to another worker once its lock
 * expires (as a stalled job), so it is retried rather than lost.
 */
export async function runWorkers(
  kit: ServiceKit<typeof workerSettings>,
  definitions: WorkerDefinition[],
): Promise<void> {
  const { logger, settings } = kit;
  const connection = createQueueRedis(settings.QUEUE_REDIS_URL, logger);
  const queues = new Map<string, Queue>();

  const workers = definitions.map((definition) => {
    queues.set(definition.queue, createQueue(definition.queue, connection));
    const processor = traceProcessor(definition.queue, definition.processor);
    const worker = new Worker(definition.queue, processor, {
      connection: connection.duplicate(),
      prefix: QUEUE_PREFIX,
      concurrency: definition.concurrency ?? 4,
      lockDuration: settings.WORKER_LOCK_DURATION_MS,
      stalledInterval: settings.WORKER_LOCK_DURATION_MS,
      maxStalledCount: 2,
    });
    worker.on('failed', (job, error) => {
      logger.warn(
        { queue: definition.queue, jobId: job?.id, attempt: job?.attemptsMade, err: error.message },
        'job failed',
      );
    });
    worker.on('error', (error) =>
      logger.error({ queue: definition.queue, err: error.message }, 'worker error'),
    );
    worker.on('stalled', (jobId) =>
      logger.warn({ queue: definition.queue, jobId }, 'job stalled; it will be retried'),
    );
    return worker;
  });

  new Gauge({
    name: 'heartfelt_queue_jobs',
    help: 'Jobs per queue and state (waiting, active, delayed, failed, completed).',
    labelNames: ['queue', 'state'],
    registers: [kit.metrics.registry],
    async collect() {
      for (const [name, queue] of queues) {
        const counts = await queue.getJobCounts(
          'waiting',
          'active',
          'delayed',
          'failed',
          'completed',
        );
        for (const [state, count] of Object.entries(counts))
          this.set({ queue: name, state }, count);
      }
    },
  });

  // The HTTP server needs an Apollo instance. A worker serves no GraphQL, so it gets an empty
  // one, and only the health, readiness and metrics routes matter.
  const apollo = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs: parse('type Query { worker: String }') }),
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  const http = await startHttpServer({
    apollo,
    logger,
    metrics: kit.metrics,
    host: kit.config.HOST,
    port: kit.config.PORT,
    graphqlPath: '/__unused',
    readiness: {
      store: () => kit.store.ping(),
      cache: () => kit.redis.ping(),
      queue: () => connection.ping(),
    },
    context: async () => ({}),
  });
  logger.info({ port: http.port, queues: definitions.map((d) => d.queue) }, 'worker running');

  drainOnTerminationSignal(logger, async (signal) => {
    logger.info({ signal }, 'letting active jobs finish before shutdown');
    const drained = Promise.all(workers.map((worker) => worker.close()));
    const timedOut = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), settings.WORKER_DRAIN_TIMEOUT_MS).unref(),
    );
    if ((await Promise.race([drained, timedOut])) === 'timeout') {
      logger.warn('active jobs did not finish in time; they will be retried by another worker');
      await Promise.all(workers.map((worker) => worker.close(true)));
    }
    await http.close();
    await apollo.stop();
    await Promise.all([...queues.values()].map((queue) => queue.close()));
    await connection.quit().catch(() => connection.disconnect());
    await kit.runShutdown();
  });
}
