import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { DevstackError } from './errors';
import { findExecutable } from './executables';
import { spawnManaged, type ListeningProcess } from './process';
import { assertPortFree, waitUntilReady } from './readiness';

/** Folders searched for `redis-server` after PATH, where distribution packages install it. */
const REDIS_FOLDERS = ['/usr/bin', '/usr/sbin', '/usr/local/bin'];

const READY_TIMEOUT_MS = 10_000;

/**
 * Purpose of the Redis instance. `cache` keeps no data on disk and evicts the least recently
 * used keys at 256 MB. `queue` appends every write to a file and never evicts, because losing
 * a queued job to eviction would drop it silently.
 */
export type RedisRole = 'cache' | 'queue';

const ROLE_ARGS: Record<RedisRole, readonly string[]> = {
  cache: [
    '--save',
    '',
    '--appendonly',
    'no',
    '--maxmemory-policy',
    'allkeys-lru',
    '--maxmemory',
    '256mb',
  ],
  queue: [
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
  ],
};

export interface StartRedisOptions {
  /** TCP port on 127.0.0.1. */
  port: number;
  /** Working folder of the server, for the append-only file. Created when missing. */
  dataDir: string;
  role: RedisRole;
  /** File that the server's output is appended to. */
  logFile?: string;
  log?: (line: string) => void;
}

/**
 * Starts `redis-server` on 127.0.0.1:`port` and resolves once it replies to PING.
 *
 * @throws DevstackError REDIS_SERVER_MISSING when `redis-server` is not installed, and
 * PROCESS_EXITED or START_TIMEOUT (after 10 s) when it does not come up.
 */
export async function startRedis(options: StartRedisOptions): Promise<ListeningProcess> {
  const { port, role, logFile, log } = options;
  const binary = await findExecutable('redis-server', REDIS_FOLDERS);
  if (binary === undefined) {
    throw new DevstackError(
      'REDIS_SERVER_MISSING',
      `redis-server was not found on PATH or in ${REDIS_FOLDERS.join(', ')}. ` +
        'Install it with `apt-get install redis-server`, or set REDIS_URL to use an existing Redis.',
    );
  }

  const dataDir = path.resolve(options.dataDir);
  await fs.promises.mkdir(dataDir, { recursive: true });

  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dataDir,
    '--daemonize',
    'no',
    '--protected-mode',
    'yes',
    // An empty log file name makes redis-server write its log to stdout, which spawnManaged keeps.
    '--logfile',
    '',
    ...ROLE_ARGS[role],
  ];
  const name = `redis-${role}`;
  await assertPortFree(port, name);
  const managed = await spawnManaged({ name, command: binary, args, logFile });
  log?.(`${name}: started ${binary} (pid ${managed.pid}) on port ${port}`);

  await waitUntilReady(managed, {
    probe: () => repliesToPing(port),
    readiness: `it replied +PONG to PING on 127.0.0.1:${port}`,
    timeoutMs: READY_TIMEOUT_MS,
  });

  const url = `redis://127.0.0.1:${port}`;
  log?.(`${name}: ready at ${url}`);
  return Object.assign(managed, { url });
}

/**
 * Sends an inline PING over a raw TCP connection and returns whether the reply is +PONG. Redis
 * replies -LOADING while it reads its data files, which counts as not ready.
 */
function repliesToPing(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = net.connect({ host: '127.0.0.1', port });
    const finish = (ready: boolean): void => {
      socket.destroy();
      resolve(ready);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) {
        finish(reply.startsWith('+PONG'));
      }
    });
  });
}
