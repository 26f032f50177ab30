import { join } from 'node:path';
import { findFreePort, startNodeService, type ListeningProcess } from '@heartfelt/devstack';
import { MongoClient, type Db } from 'mongodb';
import { startDataServices, type DataServices } from './dataServices';
import { findRepoRoot } from './repoRoot';
import { testSecrets } from './secrets';

export const subgraphNames = ['users', 'cards', 'templates', 'ai', 'payments'] as const;
export type SubgraphName = (typeof subgraphNames)[number];

/** Subgraphs that have a worker process (`dist/worker.js`) consuming their queues. */
export const workerSubgraphs = ['users', 'cards', 'ai', 'payments'] as const;
export type WorkerName = `${(typeof workerSubgraphs)[number]}-worker`;

/** A running graph for a test: data services, the five subgraphs and the gateway. */
export interface TestGraph {
  data: DataServices;
  /** The test database, for arranging documents and checking what was written. */
  db: Db;
  gatewayUrl: string;
  subgraphUrls: Record<SubgraphName, string>;
  processes: Partial<Record<SubgraphName | WorkerName | 'gateway', ListeningProcess>>;
  /** Starts (or restarts) one worker process; its previous process, if any, must be stopped. */
  startWorker(subgraph: (typeof workerSubgraphs)[number]): Promise<ListeningProcess>;
  stop(): Promise<void>;
}

/** Environment shared by every service of a test graph. */
function commonEnv(data: DataServices): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    MONGO_URL: data.mongoUrl,
    MONGO_DB: data.dbName,
    REDIS_URL: data.redisUrl,
    QUEUE_REDIS_URL: data.queueRedisUrl,
    APOLLO_TELEMETRY_DISABLED: 'true',
    // Every request of a test comes from 127.0.0.1, so per-IP budgets sized for one client
    // would throttle whole test files and benchmarks. Tests of the limits set their own.
    RATE_LIMIT_IP_COST: '100000000',
    RATE_LIMIT_TIER_COSTS: 'user=100000000,standard=100000000,high=100000000',
    LOGIN_MAX_ATTEMPTS_PER_IP: '100000',
    ...testSecrets,
  };
}

/**
 * Starts the whole graph from the built `dist/` folders, each process on a free port. Pass
 * `subgraphs` to start only some; `env` adds settings to every process.
 */
export async function startGraph(
  options: {
    subgraphs?: readonly SubgraphName[];
    gateway?: boolean;
    /** Worker processes to start as well. Default: none. */
    workers?: ReadonlyArray<(typeof workerSubgraphs)[number]>;
    env?: Record<string, string>;
    /** Time each process gets to become ready, in milliseconds. Default 30000. */
    startTimeoutMs?: number;
    /** Called with every output line of every service process, such as its JSON logs. */
    onOutput?: (processName: string, line: string) => void;
  } = {},
): Promise<TestGraph> {
  const root = findRepoRoot();
  const data = await startDataServices();
  const names = options.subgraphs ?? subgraphNames;
  const ports = Object.fromEntries(
    await Promise.all(subgraphNames.map(async (name) => [name, await findFreePort()] as const)),
  ) as Record<SubgraphName, number>;
  const subgraphUrls = Object.fromEntries(
    subgraphNames.map((name) => [name, `http://127.0.0.1:${ports[name]}/graphql`]),
  ) as Record<SubgraphName, string>;
  const urlEnv = Object.fromEntries(
    subgraphNames.map((name) => [`${name.toUpperCase()}_URL`, subgraphUrls[name]]),
  );
  const env = { ...commonEnv(data), ...urlEnv, ...options.env };

  const processes = {} as TestGraph['processes'];
  const outputOf = (name: string) =>
    options.onOutput ? (line: string) => options.onOutput!(name, line) : undefined;
  const client = new MongoClient(data.mongoUrl);
  const stop = async () => {
    await Promise.all(Object.values(processes).map((service) => service?.stop()));
    await client.close();
    await data.stop();
  };

  const startWorker = async (subgraph: (typeof workerSubgraphs)[number]) => {
    const port = await findFreePort();
    const worker = await startNodeService({
      name: `${subgraph}-worker`,
      script: join(root, 'subgraphs', subgraph, 'dist', 'worker.js'),
      port,
      env: { ...env, PORT: String(port) },
      timeoutMs: options.startTimeoutMs,
      onOutput: outputOf(`${subgraph}-worker`),
    });
    processes[`${subgraph}-worker`] = worker;
    return worker;
  };

  try {
    await Promise.all(
      names.map(async (name) => {
        processes[name] = await startNodeService({
          name,
          script: join(root, 'subgraphs', name, 'dist', 'server.js'),
          port: ports[name],
          env: { ...env, PORT: String(ports[name]) },
          timeoutMs: options.startTimeoutMs,
          onOutput: outputOf(name),
        });
      }),
    );
    let gatewayUrl = '';
    if (options.gateway ?? true) {
      const port = await findFreePort();
      processes.gateway = await startNodeService({
        name: 'gateway',
        script: join(root, 'gateway', 'dist', 'server.js'),
        port,
        env: { ...env, PORT: String(port), SUPERGRAPH_POLL_INTERVAL_MS: '200' },
        timeoutMs: options.startTimeoutMs,
        onOutput: outputOf('gateway'),
      });
      gatewayUrl = `http://127.0.0.1:${port}/graphql`;
    }
    await Promise.all((options.workers ?? []).map((subgraph) => startWorker(subgraph)));
    await client.connect();
    return {
      data,
      db: client.db(data.dbName),
      gatewayUrl,
      subgraphUrls,
      processes,
      startWorker,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
