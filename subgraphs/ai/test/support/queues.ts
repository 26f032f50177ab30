import { createLogger, createQueue, createQueueRedis, type QueueName } from '@heartfelt/kit';
import type { Queue } from 'bullmq';

/** A queue of the test graph's queue Redis, opened by a test to add or inspect jobs. */
export interface TestQueue<Data = unknown> {
  queue: Queue<Data>;
  close(): Promise<void>;
}

/** Opens `name` on the queue Redis at `queueRedisUrl`; call `close` when done. */
export function openQueue<Data = unknown>(queueRedisUrl: string, name: QueueName): TestQueue<Data> {
  const connection = createQueueRedis(queueRedisUrl, createLogger('test', 'silent'));
  const queue = createQueue<Data>(name, connection);
  return {
    queue,
    async close() {
      await queue.close();
      connection.disconnect();
    },
  };
}
