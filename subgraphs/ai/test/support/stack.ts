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

/** Signing secret shared by the tests and the ai processes they start. */
export const SIGNING_SECRET = 'ai-subgraph-test-signing-secret-0123456789';

/** Name of the store database the ai processes use. */
export const DB_NAME = 'ai_test';

/** Redis and FerretDB for one test file, in a temporary folder. */
export interface Backing {
  redis: ListeningProcess;
  ferret: ListeningProcess;
  tempDir: string;
}

/** Walks up from this file to the folder holding turbo.json, the repository root. */
export function findProjectRoot(): string {
  let dir = __dirname;
  for (let depth = 0; depth < 20; depth += 1) {
    if (fs.existsSync(path.join(dir, 'turbo.json'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`No turbo.json found above ${__dirname}`);
}

export const serverScript = path.join(findProjectRoot(), 'subgraphs', 'ai', 'dist', 'server.js');

/** Starts a cache Redis and FerretDB on free ports. */
export async function startBacking(): Promise<Backing> {
  if (!fs.existsSync(serverScript)) {
    throw new Error(`${serverScript} is missing: build first with npm run build`);
  }
  const tempDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'ai-test-'));
  const binary = await ensureFerretDB({ projectRoot: findProjectRoot() });
  const redis = await startRedis({
    port: await findFreePort(),
    dataDir: path.join(tempDir, 'redis'),
    role: 'cache',
  });
  const ferret = await startFerretDB({
    binary,
    port: await findFreePort(),
    dataDir: path.join(tempDir, 'ferretdb'),
  });
  return { redis, ferret, tempDir };
}

/** Returns the environment of an ai process that uses `backing`, plus `extra`. */
export function aiEnv(backing: Backing, port: number, extra: Record<string, string> = {}) {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    MONGO_URL: backing.ferret.url,
    MONGO_DB: DB_NAME,
    REDIS_URL: backing.redis.url,
    SUBGRAPH_SIGNING_SECRET: SIGNING_SECRET,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    ...extra,
  };
}

/** Starts the built ai subgraph against `backing` and waits until it is ready. */
export async function startAi(
  backing: Backing,
  extraEnv: Record<string, string> = {},
): Promise<ListeningProcess> {
  const port = await findFreePort();
  return startNodeService({
    name: 'ai-subgraph',
    script: serverScript,
    port,
    env: aiEnv(backing, port, extraEnv),
    logFile: path.join(backing.tempDir, `ai-${port}.log`),
  });
}

/** Stops the processes by pid, in reverse order of start, and removes the temporary folder. */
export async function stopProcesses(
  processes: ReadonlyArray<ListeningProcess | undefined>,
  tempDir: string | undefined,
): Promise<void> {
  for (const managed of [...processes].reverse()) {
    if (managed) await managed.stop();
  }
  if (tempDir) await fs.promises.rm(tempDir, { recursive: true, force: true });
}
