import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureFerretDB,
  findFreePort,
  startFerretDB,
  startRedis,
  type ListeningProcess,
} from '@heartfelt/devstack';
import { findRepoRoot } from './repoRoot';

/** A private FerretDB and Redis for one test file, on free ports with data in a temp folder. */
export interface DataServices {
  mongoUrl: string;
  redisUrl: string;
  /** The queue Redis: append-only file, `noeviction`. */
  queueRedisUrl: string;
  /** Database name the services under test use. */
  dbName: string;
  /** Stops both servers and deletes their data. */
  stop(): Promise<void>;
  ferretdb: ListeningProcess;
  redis: ListeningProcess;
  queueRedis: ListeningProcess;
  /** Folder holding the queue Redis's data, for restarting it on the same port and data. */
  queueRedisDir: string;
  /** Folder holding FerretDB's data, for restarting it on the same port and data. */
  ferretdbDir: string;
}

/**
 * Starts a FerretDB (building it on first use), a cache Redis and a queue Redis for one test
 * file. `stop()` stops whichever FerretDB and queue Redis are current, so a test may restart
 * them.
 */
export async function startDataServices(): Promise<DataServices> {
  const root = findRepoRoot();
  const dataDir = await mkdtemp(join(tmpdir(), 'heartfelt-test-'));
  const binary = await ensureFerretDB({ projectRoot: root });
  const queueRedisDir = join(dataDir, 'queue-redis');
  const ferretdbDir = join(dataDir, 'ferretdb');
  const [ferretdb, redis, queueRedis] = await Promise.all([
    findFreePort().then((port) => startFerretDB({ binary, port, dataDir: ferretdbDir })),
    findFreePort().then((port) =>
      startRedis({ port, dataDir: join(dataDir, 'redis'), role: 'cache' }),
    ),
    findFreePort().then((port) => startRedis({ port, dataDir: queueRedisDir, role: 'queue' })),
  ]);
  const services: DataServices = {
    mongoUrl: ferretdb.url,
    redisUrl: redis.url,
    queueRedisUrl: queueRedis.url,
    queueRedisDir,
    ferretdbDir,
    dbName: 'heartfelt_test',
    ferretdb,
    redis,
    queueRedis,
    async stop() {
      await Promise.all([services.ferretdb.stop(), redis.stop(), services.queueRedis.stop()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return services;
}
