import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DevstackError } from './errors';
import { spawnManaged, type ListeningProcess } from './process';
import { acceptsTcpConnection, assertPortFree, waitUntilReady } from './readiness';

const run = promisify(execFile);
const READY_TIMEOUT_MS = 20_000;

/** Debian installs each PostgreSQL major version under its own folder. */
const DEBIAN_ROOT = '/usr/lib/postgresql';

/** Returns the newest installed PostgreSQL `bin` folder that has `initdb`, if any. */
export function findPostgresBin(): string | undefined {
  if (!fs.existsSync(DEBIAN_ROOT)) return undefined;
  const versions = fs
    .readdirSync(DEBIAN_ROOT)
    .filter((entry) => fs.existsSync(path.join(DEBIAN_ROOT, entry, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(DEBIAN_ROOT, versions[0], 'bin');
}

export interface StartPostgresOptions {
  /** TCP port on 127.0.0.1. */
  port: number;
  /** Data folder of this private cluster; created with `initdb` when it contains none. */
  dataDir: string;
  /** File that the server's output is appended to. */
  logFile?: string;
  log?: (line: string) => void;
}

/**
 * PostgreSQL refuses to run as root. When this process is root, initdb and the server run as
 * the `postgres` system user (set directly on the child, so that the managed pid is the
 * server itself and signals reach it), and the data folder is handed to that user.
 */
async function serverUser(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    return { uid, gid };
  } catch {
    throw new DevstackError(
      'POSTGRES_MISSING',
      'PostgreSQL cannot run as root and there is no `postgres` user to run it as. ' +
        'Install it with `apt-get install postgresql`, or run as a non-root user.',
    );
  }
}

/**
 * Starts a private PostgreSQL cluster on 127.0.0.1:`port` with its data in `dataDir`, trusting
 * local connections, and resolves once it accepts TCP connections. The URL names the
 * `postgres` database as the `postgres` user.
 *
 * @throws DevstackError POSTGRES_MISSING when PostgreSQL is not installed,
 * POSTGRES_INIT_FAILED when initdb fails, and PROCESS_EXITED or START_TIMEOUT otherwise.
 */
export async function startPostgres(options: StartPostgresOptions): Promise<ListeningProcess> {
  const bin = findPostgresBin();
  if (bin === undefined) {
    throw new DevstackError(
      'POSTGRES_MISSING',
      `PostgreSQL was not found under ${DEBIAN_ROOT}. Install it with \`apt-get install postgresql\`.`,
    );
  }
  const dataDir = path.resolve(options.dataDir);
  const user = await serverUser();

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    // Only the data folder itself is private: the server user must be able to reach it.
    await fs.promises.mkdir(path.dirname(dataDir), { recursive: true });
    await fs.promises.mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (user.uid !== undefined) await fs.promises.chown(dataDir, user.uid, user.gid!);
    const initArgs = ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8'];
    try {
      await run(path.join(bin, 'initdb'), [...initArgs, '--no-instructions'], {
        timeout: 60_000,
        ...user,
      });
    } catch (error) {
      throw new DevstackError(
        'POSTGRES_INIT_FAILED',
        `initdb failed for ${dataDir}: ${(error as { stderr?: string }).stderr ?? String(error)}`,
      );
    }
    options.log?.(`postgres: created a cluster in ${dataDir}`);
  }

  await assertPortFree(options.port, 'postgres');
  const serverArgs = [
    '-D',
    dataDir,
    '-p',
    String(options.port),
    '-c',
    'listen_addresses=127.0.0.1',
    // The socket goes in the data folder, which the server user owns, not in /var/run.
    '-c',
    `unix_socket_directories=${dataDir}`,
    // Failed statements would otherwise be logged with the documents they carried.
    '-c',
    'log_min_error_statement=panic',
  ];
  const managed = await spawnManaged({
    name: 'postgres',
    command: path.join(bin, 'postgres'),
    args: serverArgs,
    ...user,
    logFile: options.logFile,
    // SIGINT is PostgreSQL's fast shutdown: SIGTERM would wait for clients to disconnect.
    stopSignal: 'SIGINT',
  });
  await waitUntilReady(managed, {
    probe: () => acceptsTcpConnection(options.port),
    readiness: `127.0.0.1:${options.port} accepted TCP connections`,
    timeoutMs: READY_TIMEOUT_MS,
  });
  const url = `postgres://postgres@127.0.0.1:${options.port}/postgres`;
  options.log?.(`postgres: ready at ${url}`);
  return Object.assign(managed, { url });
}
