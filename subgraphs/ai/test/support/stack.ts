import { join } from 'node:path';
import { findFreePort, startNodeService, type ListeningProcess } from '@heartfelt/devstack';
import { findRepoRoot, testSecrets, type DataServices } from '@heartfelt/testkit';

export const serverScript = join(findRepoRoot(), 'subgraphs', 'ai', 'dist', 'server.js');

/** Returns the environment of an ai process on `port` that uses `data`, plus `extra`. */
export function aiEnv(
  data: DataServices,
  port: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    MONGO_URL: data.mongoUrl,
    MONGO_DB: data.dbName,
    REDIS_URL: data.redisUrl,
    QUEUE_REDIS_URL: data.queueRedisUrl,
    SUBGRAPH_SIGNING_SECRET: testSecrets.SUBGRAPH_SIGNING_SECRET,
    ...extra,
  };
}

/** Starts the built ai subgraph (`dist/server.js`) against `data` and waits until it is ready. */
export async function startAi(
  data: DataServices,
  extraEnv: Record<string, string> = {},
): Promise<ListeningProcess> {
  const port = await findFreePort();
  return startNodeService({
    name: 'ai',
    script: serverScript,
    port,
    env: aiEnv(data, port, extraEnv),
  });
}
