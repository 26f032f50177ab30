import { Worker, type Job, type Processor, type Queue } from 'bullmq';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { z } from 'zod';
import { drainOnTerminationSignal } from './shutdown';
import { startHttpServer } from './httpServer';
import { traceProcessor } from './telemetry/jobSpans';
import { createQueue, createQueueRedis, QUEUE_PREFIX, type QueueName } from './queues';
import type { ServiceKit } from './service';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
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

/** Job states counted in `heartfelt_queue_jobs`. */
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/** Maximum time a scrape waits for the queue Redis to return job counts, in milliseconds. */
const QUEUE_COUNT_TIMEOUT_MS = 2000;

interface JobMetrics {
  jobs: Counter<'queue' | 'outcome'>;
  stalled: Counter<'queue'>;
  duration: Histogram<'queue' | 'outcome'>;
}

function createJobMetrics(registry: Registry): JobMetrics {
  return {
    jobs: new Counter({
      name: 'heartfelt_worker_jobs_total',
      help:
        'Job attempts this worker finished, by queue and outcome: completed, retrying (failed ' +
        'with attempts left) or failed (no attempts left).',
      labelNames: ['queue', 'outcome'],
      registers: [registry],
    }),
    stalled: new Counter({
      name: 'heartfelt_worker_jobs_stalled_total',
      help: 'Jobs whose lock expired while active, so they are retried, by queue.',
      labelNames: ['queue'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'heartfelt_worker_job_duration_seconds',
      help: 'Time from a job attempt start to its end, in seconds, by queue and outcome.',
      labelNames: ['queue', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
  };
}

function observeJobDuration(metrics: JobMetrics, queue: string, outcome: string, job: Job): void {
  if (!job.processedOn) return;
  const endedAt = job.finishedOn || Date.now();
  metrics.duration.observe({ queue, outcome }, (endedAt - job.processedOn) / 1000);
}

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

  const jobMetrics = createJobMetrics(kit.metrics.registry);
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
    worker.on('completed', (job) => {
      jobMetrics.jobs.inc({ queue: definition.queue, outcome: 'completed' });
      observeJobDuration(jobMetrics, definition.queue, 'completed', job);
    });
    worker.on('failed', (job, error) => {
      // BullMQ sets finishedOn only when it moves the job to failed rather than retrying it,
      // which also covers an UnrecoverableError with attempts left.
      const final = !job || Boolean(job.finishedOn);
      const outcome = final ? 'failed' : 'retrying';
      jobMetrics.jobs.inc({ queue: definition.queue, outcome });
      if (job) observeJobDuration(jobMetrics, definition.queue, outcome, job);
      logger.warn(
        { queue: definition.queue, jobId: job?.id, attempt: job?.attemptsMade, err: error.message },
        'job failed',
      );
    });
    worker.on('error', (error) =>
      logger.error({ queue: definition.queue, err: error.message }, 'worker error'),
    );
    worker.on('stalled', (jobId) => {
      jobMetrics.stalled.inc({ queue: definition.queue });
      logger.warn({ queue: definition.queue, jobId }, 'job stalled; it will be retried');
    });
    return worker;
  });

  new Gauge({
    name: 'heartfelt_queue_jobs',
    help: 'Jobs per queue and state (waiting, active, delayed, failed, completed), read at scrape.',
    labelNames: ['queue', 'state'],
    registers: [kit.metrics.registry],
    async collect() {
      // A scrape must not wait for an unreachable queue Redis: the client queues commands until
      // it returns. The gauge then keeps its last values and the scrape still succeeds.
      const read = Promise.all(
        [...queues].map(async ([name, queue]) => {
          const counts = await queue.getJobCounts(...QUEUE_STATES);
          return [name, counts] as const;
        }),
      );
      const timeout = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), QUEUE_COUNT_TIMEOUT_MS).unref(),
      );
      const result = await Promise.race([read, timeout]).catch((error: unknown) => {
        logger.warn({ err: error }, 'reading queue job counts for metrics failed');
        return 'failed' as const;
      });
      if (typeof result === 'string') return;
      for (const [name, counts] of result) {
        for (const [state, count] of Object.entries(counts)) {
          this.set({ queue: name, state }, count);
        }
      }
    },
  });

  // The HTTP server needs an Apollo instance. A worker serves no GraphQL, so it gets an empty
  // one, and only the health, readiness and metrics routes matter.
  const apollo = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs: parse('type Query { worker: String }') }),
    stopOnTerminationSignals: false,
    logger,
    plugins: [ApolloServerPluginInlineTraceDisabled()],
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
