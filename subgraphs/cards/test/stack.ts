import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ensureFerretDB,
  findFreePort,
  startFerretDB,
  startNodeService,
  startRedis,
  type ListeningProcess,
} from '@heartfelt/devstack';
import { GATEWAY_TOKEN_HEADER, signGatewayToken } from '@heartfelt/kit';
import { MongoClient, type Db } from 'mongodb';

/** Signing secret shared by the test and every subgraph process it starts. */
export const SIGNING_SECRET = 'cards-test-signing-secret-0123456789abcdef';

const projectRoot = path.resolve(__dirname, '..', '..', '..');

/** The store, cache and subgraph processes of one test file, and a client of the store. */
export interface Stack {
  cardsUrl: string;
  db: Db;
  stop(): Promise<void>;
}

/**
 * Starts FerretDB, a cache Redis, a queue Redis, and the templates, users and cards subgraphs built in their
 * `dist` folders, on free ports with data in a temporary folder. `stop` ends them by process id.
 */
export async function startStack(): Promise<Stack> {
  const tempRoot = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'cards-test-'));
  const started: ListeningProcess[] = [];
  let mongo: MongoClient | undefined;

  const stop = async (): Promise<void> => {
    await mongo?.close();
    // Subgraphs first, so that none of them logs the store or Redis going away.
    const [store, cache, queue, ...subgraphs] = started;
    await Promise.all(subgraphs.map((managed) => managed.stop()));
    await Promise.all([store, cache, queue].map((managed) => managed?.stop()));
    await fs.promises.rm(tempRoot, { recursive: true, force: true });
  };

  try {
    const binary = await ensureFerretDB({ projectRoot });
    const store = await startFerretDB({
      binary,
      port: await findFreePort(),
      dataDir: path.join(tempRoot, 'ferretdb'),
      logFile: path.join(tempRoot, 'ferretdb.log'),
    });
    started.push(store);
    const cache = await startRedis({
      port: await findFreePort(),
      dataDir: path.join(tempRoot, 'redis'),
      role: 'cache',
    });
    started.push(cache);
    const queue = await startRedis({
      port: await findFreePort(),
      dataDir: path.join(tempRoot, 'queue-redis'),
      role: 'queue',
    });
    started.push(queue);

    const common = {
      MONGO_URL: store.url,
      MONGO_DB: 'cards_test',
      REDIS_URL: cache.url,
      QUEUE_REDIS_URL: queue.url,
      SUBGRAPH_SIGNING_SECRET: SIGNING_SECRET,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
    };
    const startSubgraph = async (name: string, env: Record<string, string> = {}) => {
      const port = await findFreePort();
      const subgraph = await startNodeService({
        name: `${name}-subgraph`,
        script: path.join(projectRoot, 'subgraphs', name, 'dist', 'server.js'),
        port,
        env: { ...common, ...env, PORT: String(port) },
        logFile: path.join(tempRoot, `${name}.log`),
      });
      started.push(subgraph);
      return `${subgraph.url}/graphql`;
    };

    const [templatesUrl, usersUrl] = await Promise.all([
      startSubgraph('templates'),
      startSubgraph('users', { JWT_SECRET: 'cards-test-jwt-secret-0123456789abcdefghij' }),
    ]);
    const cardsUrl = await startSubgraph('cards', {
      TEMPLATES_URL: templatesUrl,
      USERS_URL: usersUrl,
    });

    mongo = new MongoClient(store.url, { serverSelectionTimeoutMS: 5000 });
    await mongo.connect();
    return { cardsUrl, db: mongo.db('cards_test'), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A GraphQL response body. */
export interface GraphQLResponse<Data = Record<string, unknown>> {
  data?: Data | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

/** Sends one operation to the cards subgraph, signed as the gateway would sign it for `userId`. */
export async function execute<Data = Record<string, unknown>>(
  url: string,
  userId: string | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<Data>> {
  const token = await signGatewayToken({ userId }, 'cards', SIGNING_SECRET);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [GATEWAY_TOKEN_HEADER]: token },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(10_000),
  });
  return (await response.json()) as GraphQLResponse<Data>;
}

/**
 * Returns `heartfelt_store_commands_total` for one collection and command from a subgraph's
 * `/metrics`, or 0 when the counter has no such series yet.
 */
export async function storeCommandCount(
  graphqlUrl: string,
  collection: string,
  command: string,
): Promise<number> {
  const metricsUrl = new URL('/metrics', graphqlUrl);
  const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  for (const line of text.split('\n')) {
    if (!line.startsWith('heartfelt_store_commands_total{')) continue;
    if (!line.includes(`collection="${collection}"`) || !line.includes(`command="${command}"`)) {
      continue;
    }
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}
