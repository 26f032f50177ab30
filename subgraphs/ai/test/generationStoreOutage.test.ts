import { setTimeout as sleep } from 'node:timers/promises';
import { ensureFerretDB, startFerretDB } from '@heartfelt/devstack';
import { jobIdOf, newUserId, QueueName } from '@heartfelt/kit';
import { findRepoRoot, startGraph, type TestGraph } from '@heartfelt/testkit';
import { callAi } from './support/graphql';
import { GENERATION_FIELDS, waitForGeneration, type Generation } from './support/generations';
import { openQueue } from './support/queues';

const GENERATE = `
  mutation Generate($input: GenerateMessageInput!) {
    generateMessage(input: $input) { ${GENERATION_FIELDS} }
  }
`;

/**
 * Longer than the job's default attempts take when every store call fails: 3 attempts, each
 * waiting up to the 5 s server selection timeout, with 1 s and 2 s of backoff between them.
 */
const OUTAGE_MS = 25_000;

let graph: TestGraph | undefined;

beforeAll(async () => {
  graph = await startGraph({ subgraphs: ['ai'], gateway: false, workers: ['ai'] });
}, 120_000);

afterAll(async () => {
  await graph?.stop();
});

describe('generation job during a store outage', () => {
  test('completes once the store is back', async () => {
    const data = graph!.data;
    const url = graph!.processes.ai!.url;
    const binary = await ensureFerretDB({ projectRoot: findRepoRoot() });
    const port = Number(new URL(data.mongoUrl).port);
    const generationQueue = openQueue(data.queueRedisUrl, QueueName.Generation);
    try {
      // Paused, the worker takes no job, so the job first runs while the store is down.
      await generationQueue.queue.pause();
      const userId = newUserId();
      const response = await callAi<{ generateMessage: Generation }>(url, userId, GENERATE, {
        input: { occasion: 'BIRTHDAY', recipientName: 'Maya', relationship: 'friend', seed: 7 },
      });
      expect(response.errors).toBeUndefined();
      const id = response.data!.generateMessage.id;

      await data.ferretdb.stop();
      await generationQueue.queue.resume();
      await sleep(OUTAGE_MS);

      const job = await generationQueue.queue.getJob(jobIdOf('generation', id));
      expect(job?.processedOn).toBeDefined();
      expect(await job!.getState()).not.toBe('failed');

      data.ferretdb = await startFerretDB({ binary, port, dataDir: data.ferretdbDir });
      const generation = await waitForGeneration(url, userId, id, 60_000);
      expect(generation.status).toBe('COMPLETED');
      expect(generation.suggestions).toHaveLength(3);
    } finally {
      await generationQueue.close();
    }
  }, 150_000);
});
