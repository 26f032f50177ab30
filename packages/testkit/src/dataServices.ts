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
  /** Database name the services under test use. */
  dbName: string;
  /** Stops both servers and deletes their data. */
  stop(): Promise<void>;
  ferretdb: ListeningProcess;
  redis: ListeningProcess;
}

/** Starts a FerretDB (building it on first use) and a cache Redis for one test file. */
export async function startDataServices(): Promise<DataServices> {
  const root = findRepoRoot();
  const dataDir = await mkdtemp(join(tmpdir(), 'heartfelt-test-'));
  const binary = await ensureFerretDB({ projectRoot: root });
  const [ferretdb, redis] = await Promise.all([
    findFreePort().then((port) =>
      startFerretDB({ binary, port, dataDir: join(dataDir, 'ferretdb') }),
    ),
    findFreePort().then((port) =>
      startRedis({ port, dataDir: join(dataDir, 'redis'), role: 'cache' }),
    ),
  ]);
  return {
    mongoUrl: ferretdb.url,
    redisUrl: redis.url,
    dbName: 'heartfelt_test',
    ferretdb,
    redis,
    async stop() {
      await Promise.all([ferretdb.stop(), redis.stop()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
