// The graph under load: every process of it started on free loopback ports from the built
// `dist/` folders, with its handle kept so that a fault run can kill and restart each piece.
// Unlike `npm start`, nothing is restarted automatically, and no fixed port is used.
import { createRequire } from 'node:module';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const {
  ensureFerretDB,
  findFreePort,
  findPostgresBin,
  startFerretDB,
  startNodeService,
  startPostgres,
  startRedis,
} = require('@heartfelt/devstack');
const { findRepoRoot, subgraphNames, testSecrets, workerSubgraphs } = require('@heartfelt/testkit');
const { MongoClient } = require('mongodb');

export const root = findRepoRoot();
const { seed } = require(join(root, 'tools', 'dist', 'seed.js'));

const DB_NAME = 'heartfelt_load';

/**
 * A restartable part of the stack. `kill()` sends SIGKILL and waits for the exit; `restart()`
 * starts it again on the same port with the same data.
 */
class Component {
  constructor(name, kind, start) {
    this.name = name;
    /** `data`, `subgraph`, `worker` or `gateway`. */
    this.kind = kind;
    this.start = start;
    this.process = null;
  }

  async launch() {
    this.process = await this.start();
    return this;
  }

  async kill() {
    const running = this.process;
    this.process = null;
    // SIGKILL, not stop()'s SIGTERM, so the process gets no chance to drain, as in a crash.
    process.kill(running.pid, 'SIGKILL');
    await running.exited;
  }

  async restart() {
    if (this.process) throw new Error(`${this.name} is still running; kill it first`);
    return this.launch();
  }

  /** Process ids to sample: the process and, for PostgreSQL, its backends. */
  pids() {
    return this.process ? [this.process.pid] : [];
  }
}

/**
 * Starts the data services, seeds `seedSizes`, then starts the five subgraphs, the four
 * workers and the gateway. The data services are FerretDB (over a private PostgreSQL when one
 * is installed, else over SQLite), a cache Redis, and a queue Redis with its append-only file.
 */
export async function startStack({ seedSizes, env: extraEnv = {}, log = () => {} }) {
  const dataDir = await mkdtemp(join(tmpdir(), 'heartfelt-load-'));
  // PostgreSQL runs as its own user when this runs as root, and must reach its folder inside.
  await chmod(dataDir, 0o755);
  const logDir = join(dataDir, 'logs');
  const components = new Map();
  const add = async (component) => {
    components.set(component.name, component);
    await component.launch();
    return component;
  };
  const stop = async () => {
    const order = ['gateway', 'worker', 'subgraph', 'data'];
    for (const kind of order) {
      const parts = [...components.values()].filter((part) => part.kind === kind && part.process);
      await Promise.all(parts.map((part) => part.process.stop(5000)));
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    const binary = await ensureFerretDB({ projectRoot: root, log });
    const postgresBin = findPostgresBin();
    let postgresqlUrl;
    if (postgresBin) {
      const port = await findFreePort();
      const postgres = await add(
        new Component('postgres', 'data', () =>
          startPostgres({
            port,
            dataDir: join(dataDir, 'postgres'),
            logFile: join(logDir, 'postgres.log'),
          }),
        ),
      );
      postgres.pids = () => (postgres.process ? processTree(postgres.process.pid) : []);
      postgresqlUrl = postgres.process.url;
    }
    const [storePort, cachePort, queuePort] = await distinctFreePorts(3);
    const [store, cache, queue] = await Promise.all([
      add(
        new Component('store', 'data', () =>
          startFerretDB({
            binary,
            port: storePort,
            dataDir: join(dataDir, 'ferretdb'),
            postgresqlUrl,
            logFile: join(logDir, 'ferretdb.log'),
          }),
        ),
      ),
      add(
        new Component('cache-redis', 'data', () =>
          startRedis({ port: cachePort, dataDir: join(dataDir, 'redis'), role: 'cache' }),
        ),
      ),
      add(
        new Component('queue-redis', 'data', () =>
          startRedis({ port: queuePort, dataDir: join(dataDir, 'queue-redis'), role: 'queue' }),
        ),
      ),
    ]);

    const client = new MongoClient(store.process.url);
    await client.connect();
    const db = client.db(DB_NAME);
    const counts = await seed(db, seedSizes);
    log(`seeded ${JSON.stringify(counts)}`);

    const servicePorts = await distinctFreePorts(subgraphNames.length + workerSubgraphs.length + 1);
    const subgraphUrls = Object.fromEntries(
      subgraphNames.map((name, index) => [name, `http://127.0.0.1:${servicePorts[index]}/graphql`]),
    );
    const env = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      MONGO_URL: store.process.url,
      MONGO_DB: DB_NAME,
      REDIS_URL: cache.process.url,
      QUEUE_REDIS_URL: queue.process.url,
      OUTBOX_DIR: join(dataDir, 'outbox'),
      PUBLIC_BASE_URL: 'http://127.0.0.1:8080',
      APOLLO_TELEMETRY_DISABLED: 'true',
      // Every simulated user connects from 127.0.0.1, so the per-address cost budget and logIn
      // count are raised to keep one address from throttling them all. Each user's own cost
      // budget and each email's logIn lockout keep their defaults.
      RATE_LIMIT_IP_COST: '1000000000',
      LOGIN_MAX_ATTEMPTS_PER_IP: '1000000',
      ...testSecrets,
      ...Object.fromEntries(
        subgraphNames.map((name) => [`${name.toUpperCase()}_URL`, subgraphUrls[name]]),
      ),
      ...extraEnv,
    };
    const nodeComponent = (name, kind, script, port) =>
      new Component(name, kind, () =>
        startNodeService({
          name,
          script,
          port,
          env: { ...env, PORT: String(port) },
          logFile: join(logDir, `${name}.log`),
        }),
      );

    await Promise.all(
      subgraphNames.map((name, index) =>
        add(
          nodeComponent(
            name,
            'subgraph',
            join(root, 'subgraphs', name, 'dist', 'server.js'),
            servicePorts[index],
          ),
        ),
      ),
    );
    await Promise.all(
      workerSubgraphs.map((name, index) =>
        add(
          nodeComponent(
            `${name}-worker`,
            'worker',
            join(root, 'subgraphs', name, 'dist', 'worker.js'),
            servicePorts[subgraphNames.length + index],
          ),
        ),
      ),
    );
    const gatewayPort = servicePorts.at(-1);
    await add(
      nodeComponent('gateway', 'gateway', join(root, 'gateway', 'dist', 'server.js'), gatewayPort),
    );

    return {
      gatewayUrl: `http://127.0.0.1:${gatewayPort}/graphql`,
      db,
      components,
      dataDir,
      outboxDir: env.OUTBOX_DIR,
      storeBackend: postgresqlUrl ? 'postgresql' : 'sqlite',
      async stop() {
        await client.close();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Returns `count` free ports, none of them equal. */
async function distinctFreePorts(count) {
  const ports = new Set();
  for (let attempt = 0; ports.size < count && attempt < count * 10; attempt += 1) {
    ports.add(await findFreePort());
  }
  if (ports.size < count) throw new Error(`found only ${ports.size} of ${count} free ports`);
  return [...ports];
}

/** Returns `pid` and the ids of its children, read from /proc (Linux only). */
function processTree(pid) {
  const pids = [pid];
  try {
    const children = require('node:fs').readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
    for (const child of children.trim().split(/\s+/).filter(Boolean)) pids.push(Number(child));
  } catch {
    // The process has exited; its RSS reads as absent.
  }
  return pids;
}

/**
 * Reads a process's resident memory in kibibytes from /proc/<pid>/status: `rss` (VmRSS, all
 * resident pages, shared ones included) and `anon` (RssAnon, its private heap and stacks).
 * Returns undefined when the process no longer exists.
 */
export async function residentKiB(pid) {
  let status;
  try {
    status = await readFile(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  const rss = field('VmRSS');
  return Number.isNaN(rss) ? undefined : { rss, anon: field('RssAnon') };
}
