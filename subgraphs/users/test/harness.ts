import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ensureFerretDB,
  findFreePort,
  startFerretDB,
  startNodeService,
  startRedis,
  type ManagedProcess,
} from '@heartfelt/devstack';
import { GATEWAY_TOKEN_HEADER, signGatewayToken } from '@heartfelt/kit';
import { MongoClient, type Db } from 'mongodb';

export const SIGNING_SECRET = 'users-test-subgraph-signing-secret-0123456789';
export const JWT_SECRET = 'users-test-access-token-secret-0123456789abcdef';

const projectRoot = path.resolve(__dirname, '..', '..', '..');
const serverScript = path.join(projectRoot, 'subgraphs', 'users', 'dist', 'server.js');

/** A GraphQL response as the subgraph sends it. */
export interface GraphQLResponse<Data = Record<string, unknown>> {
  data?: Data | null;
  errors?: Array<{
    message: string;
    path?: Array<string | number>;
    extensions?: { code?: string };
  }>;
}

/** Redis, FerretDB and the built users subgraph, started for one test file. */
export interface UsersStack {
  url: string;
  /** The store database the subgraph uses, for checking what was written. */
  db: Db;
  stop(): Promise<void>;
}

/**
 * Starts a cache Redis, FerretDB and `subgraphs/users/dist/server.js` on free ports, with data
 * in a fresh temporary folder. `stop` ends each process by its pid and deletes the folder.
 */
export async function startUsersStack(): Promise<UsersStack> {
  if (!fs.existsSync(serverScript)) {
    throw new Error(
      `${serverScript} is missing: build it first with ` +
        '`npx tsc -p subgraphs/users/tsconfig.build.json`.',
    );
  }
  const tempRoot = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'users-test-'));
  const started: ManagedProcess[] = [];
  let client: MongoClient | undefined;

  const stop = async () => {
    await client?.close();
    for (const managed of started.reverse()) await managed.stop();
    await fs.promises.rm(tempRoot, { recursive: true, force: true });
  };

  try {
    const redis = await startRedis({
      port: await findFreePort(),
      dataDir: path.join(tempRoot, 'redis'),
      role: 'cache',
    });
    started.push(redis);

    const binary = await ensureFerretDB({ projectRoot });
    const ferret = await startFerretDB({
      binary,
      port: await findFreePort(),
      dataDir: path.join(tempRoot, 'ferretdb'),
    });
    started.push(ferret);

    const port = await findFreePort();
    const service = await startNodeService({
      name: 'users-subgraph',
      script: serverScript,
      port,
      cwd: projectRoot,
      logFile: path.join(tempRoot, 'users.log'),
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        MONGO_URL: ferret.url,
        MONGO_DB: 'users_test',
        REDIS_URL: redis.url,
        SUBGRAPH_SIGNING_SECRET: SIGNING_SECRET,
        JWT_SECRET,
      },
    });
    started.push(service);

    client = new MongoClient(ferret.url, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
    return { url: service.url, db: client.db('users_test'), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Sends one GraphQL request to the subgraph, signed as the gateway would for `userId`. */
export async function graphql<Data = Record<string, unknown>>(
  stack: UsersStack,
  query: string,
  variables: Record<string, unknown> = {},
  userId: string | null = null,
): Promise<GraphQLResponse<Data>> {
  const token = await signGatewayToken({ userId }, 'users', SIGNING_SECRET);
  const response = await fetch(`${stack.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [GATEWAY_TOKEN_HEADER]: token },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(10_000),
  });
  return (await response.json()) as GraphQLResponse<Data>;
}

/** Returns `heartfelt_store_commands_total` for one collection and command from `/metrics`. */
export async function storeCommandCount(
  stack: UsersStack,
  collection: string,
  command: string,
): Promise<number> {
  const response = await fetch(`${stack.url}/metrics`, { signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  for (const line of text.split('\n')) {
    if (!line.startsWith('heartfelt_store_commands_total{')) continue;
    if (!line.includes(`collection="${collection}"`)) continue;
    if (!line.includes(`command="${command}"`)) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  // prom-client prints a label set only after its first increment.
  return 0;
}
