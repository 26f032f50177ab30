import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DevstackError,
  ensureFerretDB,
  findPostgresBin,
  startFerretDB,
  startPostgres,
  startNodeService,
  startRedis,
  stopAll,
  type ListeningProcess,
} from '@heartfelt/devstack';
import { MongoClient } from 'mongodb';
import { isEmpty, seed } from './seed';
import { DEMO_EMAIL, DEMO_PASSWORD } from './seedData';
import { repoRoot, serverScriptOf, subgraphs, workerScriptOf, workers } from './subgraphs';

/**
 * `npm start`: runs the whole graph on this machine. Starts FerretDB and Redis unless
 * MONGO_URL and REDIS_URL name existing ones, seeds the demo data into an empty store, starts
 * the five subgraphs and the gateway as separate processes, and stops all of it on Ctrl-C.
 */

const dataRoot = join(repoRoot, '.data');
const logDir = join(dataRoot, 'logs');

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new DevstackError('INVALID_OPTION', `${name} must be a port number, received "${raw}".`);
  }
  return value;
}

/** Development secrets, kept in .data/dev-secrets.json so tokens survive a restart. */
interface DevSecrets {
  JWT_SECRET: string;
  SUBGRAPH_SIGNING_SECRET: string;
  /** Bearer token of the gateway's /admin/queues. */
  ADMIN_TOKEN: string;
}

/** Reads the development secrets, generating the ones the file lacks (or the file itself). */
function devSecrets(): DevSecrets {
  const file = join(dataRoot, 'dev-secrets.json');
  const saved: Partial<DevSecrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const secrets: DevSecrets = {
    JWT_SECRET: saved.JWT_SECRET ?? randomBytes(32).toString('hex'),
    SUBGRAPH_SIGNING_SECRET: saved.SUBGRAPH_SIGNING_SECRET ?? randomBytes(32).toString('hex'),
    ADMIN_TOKEN: saved.ADMIN_TOKEN ?? randomBytes(32).toString('hex'),
  };
  const names = Object.keys(secrets) as Array<keyof DevSecrets>;
  if (names.some((name) => saved[name] === undefined)) {
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}

/**
 * Chooses FerretDB's backend. PostgreSQL is the default where it is installed, because
 * FerretDB on SQLite reads whole collections for any query but an `_id` lookup, which makes
 * the seeded Dashboard take over a second; FERRETDB_BACKEND=sqlite forces SQLite.
 */
function ferretBackend(): 'postgresql' | 'sqlite' {
  const chosen = process.env.FERRETDB_BACKEND;
  if (chosen !== undefined && chosen !== 'postgresql' && chosen !== 'sqlite') {
    throw new DevstackError(
      'INVALID_OPTION',
      `FERRETDB_BACKEND must be postgresql or sqlite, received "${chosen}".`,
    );
  }
  if (chosen) return chosen;
  if (findPostgresBin()) return 'postgresql';
  console.warn(
    'PostgreSQL is not installed, so FerretDB stores data in SQLite; queries will be slow.',
  );
  console.warn('Install it with: apt-get install postgresql');
  return 'sqlite';
}

async function startStore(): Promise<string> {
  if (process.env.MONGO_URL) return process.env.MONGO_URL;
  const backend = ferretBackend();
  const binary = await ensureFerretDB({ projectRoot: repoRoot, log: (line) => console.log(line) });
  let postgresqlUrl: string | undefined;
  if (backend === 'postgresql') {
    const postgres = await startPostgres({
      port: port('DEV_POSTGRES_PORT', 54329),
      dataDir: join(dataRoot, 'postgres'),
      logFile: join(logDir, 'postgres.log'),
    });
    postgresqlUrl = postgres.url;
  }
  const ferretdb = await startFerretDB({
    binary,
    port: port('FERRETDB_PORT', 27018),
    dataDir: join(dataRoot, 'ferretdb'),
    postgresqlUrl,
    logFile: join(logDir, 'ferretdb.log'),
  });
  const where =
    backend === 'postgresql' ? 'a private PostgreSQL in .data/postgres' : '.data/ferretdb';
  console.log(`store: FerretDB at ${ferretdb.url} (data in ${where})`);
  return ferretdb.url;
}

async function startCache(): Promise<string> {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  const redis = await startRedis({
    port: port('DEV_REDIS_PORT', 6380),
    dataDir: join(dataRoot, 'redis'),
    role: 'cache',
    logFile: join(logDir, 'redis.log'),
  });
  console.log(`cache: Redis at ${redis.url}`);
  return redis.url;
}

async function startQueueRedis(): Promise<string> {
  if (process.env.QUEUE_REDIS_URL) return process.env.QUEUE_REDIS_URL;
  const redis = await startRedis({
    port: port('DEV_QUEUE_REDIS_PORT', 6381),
    dataDir: join(dataRoot, 'queue-redis'),
    role: 'queue',
    logFile: join(logDir, 'queue-redis.log'),
  });
  console.log(`queues: Redis at ${redis.url} (noeviction, append-only file in .data/queue-redis)`);
  return redis.url;
}

async function seedWhenEmpty(mongoUrl: string, dbName: string): Promise<void> {
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.connect();
    const db = client.db(dbName);
    if (!(await isEmpty(db))) return;
    console.log('seeding the demo data (first start only)…');
    const counts = await seed(db);
    console.log(
      `seeded: ${Object.entries(counts)
        .map(([name, count]) => `${count} ${name}`)
        .join(', ')}`,
    );
  } finally {
    await client.close();
  }
}

async function main(): Promise<void> {
  mkdirSync(logDir, { recursive: true });
  const dbName = process.env.MONGO_DB ?? 'heartfelt';
  const [mongoUrl, redisUrl, queueRedisUrl] = await Promise.all([
    startStore(),
    startCache(),
    startQueueRedis(),
  ]);
  await seedWhenEmpty(mongoUrl, dbName);

  const secrets = {
    JWT_SECRET: process.env.JWT_SECRET ?? devSecrets().JWT_SECRET,
    SUBGRAPH_SIGNING_SECRET:
      process.env.SUBGRAPH_SIGNING_SECRET ?? devSecrets().SUBGRAPH_SIGNING_SECRET,
  };
  const ports = Object.fromEntries(
    subgraphs.map(({ name, defaultPort }) => [
      name,
      port(`${name.toUpperCase()}_PORT`, defaultPort),
    ]),
  );
  const urls = Object.fromEntries(
    subgraphs.map(({ name }) => [
      `${name.toUpperCase()}_URL`,
      `http://127.0.0.1:${ports[name]}/graphql`,
    ]),
  );
  const env = {
    MONGO_URL: mongoUrl,
    MONGO_DB: dbName,
    REDIS_URL: redisUrl,
    QUEUE_REDIS_URL: queueRedisUrl,
    APOLLO_TELEMETRY_DISABLED: 'true',
    ...secrets,
    ...urls,
  };

  const subgraphSpecs: ServiceSpec[] = subgraphs.map(({ name }) => ({
    name,
    script: serverScriptOf(name),
    port: ports[name]!,
    env,
  }));
  const workerSpecs: ServiceSpec[] = workers
    .filter((worker) => existsSync(workerScriptOf(worker.subgraph)))
    .map((worker) => ({
      name: worker.name,
      script: workerScriptOf(worker.subgraph),
      port: port(`${worker.name.toUpperCase().replace('-', '_')}_PORT`, worker.defaultPort),
      env,
    }));
  const gatewayPort = port('GATEWAY_PORT', 4000);
  const adminToken = process.env.ADMIN_TOKEN ?? devSecrets().ADMIN_TOKEN;
  const gatewaySpec: ServiceSpec = {
    name: 'gateway',
    script: join(repoRoot, 'gateway', 'dist', 'server.js'),
    port: gatewayPort,
    // Only the gateway serves /admin/queues, so only it gets the token.
    env: { ...env, ADMIN_TOKEN: adminToken },
  };

  // Started in dependency order and stopped in the reverse order (see shutdown).
  tiers.push(await Promise.all(subgraphSpecs.map(supervise)));
  tiers.push(await Promise.all(workerSpecs.map(supervise)));
  tiers.push([await supervise(gatewaySpec)]);

  const explorer =
    process.env.EXPLORER_ENABLED !== 'false' && process.env.NODE_ENV !== 'production'
      ? '  (open it in a browser for the explorer)'
      : '';
  console.log('');
  console.log(`Heartfelt graph:  http://127.0.0.1:${gatewayPort}/graphql${explorer}`);
  console.log(`Demo login:       ${DEMO_EMAIL} / ${DEMO_PASSWORD}`);
  console.log(`Service logs:     .data/logs/`);
  console.log(
    `Queues (admin):   http://127.0.0.1:${gatewayPort}/admin/queues  ` +
      (process.env.ADMIN_TOKEN
        ? '(Authorization: Bearer $ADMIN_TOKEN)'
        : '(Authorization: Bearer <ADMIN_TOKEN from .data/dev-secrets.json>)'),
  );
  console.log('Press Ctrl-C to stop everything.');
}

/** How to start one service process. */
interface ServiceSpec {
  name: string;
  script: string;
  port: number;
  env: Record<string, string>;
}

/** A supervised service: the current process, replaced when it crashes. */
interface Supervised {
  name: string;
  current: ListeningProcess;
}

/** Services by start tier: subgraphs, then workers, then the gateway. */
const tiers: Supervised[][] = [];

/** Restarts allowed per service within RESTART_WINDOW_MS before the supervisor gives up. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

/**
 * Starts a service and restarts it when it exits unexpectedly, after a delay that doubles with
 * each recent crash (1 s, 2 s, 4 s …). After MAX_RESTARTS crashes within a minute it stays down
 * and the reason is printed, because a crash loop needs a person.
 */
async function supervise(spec: ServiceSpec): Promise<Supervised> {
  const start = () =>
    startNodeService({
      name: spec.name,
      script: spec.script,
      port: spec.port,
      env: { ...spec.env, PORT: String(spec.port) },
      logFile: join(logDir, `${spec.name}.log`),
    });
  const service: Supervised = { name: spec.name, current: await start() };
  const crashes: number[] = [];

  const watch = (running: ListeningProcess) => {
    void running.exited.then(async (code) => {
      if (stopping) return;
      const how = code === null ? 'was killed by a signal' : `exited with code ${code}`;
      const now = Date.now();
      crashes.push(now);
      while (crashes[0]! < now - RESTART_WINDOW_MS) crashes.shift();
      if (crashes.length > MAX_RESTARTS) {
        console.error(
          `${spec.name} ${how} ${crashes.length} times in a minute; not restarting it.`,
        );
        console.error(`See .data/logs/${spec.name}.log`);
        return;
      }
      const delayMs = 1000 * 2 ** (crashes.length - 1);
      console.error(
        `${spec.name} ${how}; restarting in ${delayMs / 1000} s (.data/logs/${spec.name}.log)`,
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (stopping) return;
      try {
        service.current = await start();
        watch(service.current);
        console.error(`${spec.name} restarted`);
      } catch (error) {
        console.error(`${spec.name} failed to restart: ${(error as Error).message}`);
      }
    });
  };
  watch(service.current);
  return service;
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the graph…`);
  // The gateway first, so no new work arrives; then workers and subgraphs drain; then data.
  for (const tier of [...tiers].reverse()) {
    await Promise.all(tier.map((service) => service.current.stop()));
  }
  await stopAll();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

main().catch(async (error: unknown) => {
  const message =
    error instanceof DevstackError ? error.message : ((error as Error).stack ?? String(error));
  console.error(`npm start failed: ${message}`);
  stopping = true;
  await stopAll();
  process.exit(1);
});
