import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DevstackError } from './errors';
import { findExecutable } from './executables';
import { acquireLock } from './lock';
import { exitsWithin, formatCommand, spawnManaged, type ListeningProcess } from './process';
import { acceptsTcpConnection, assertPortFree, waitUntilReady } from './readiness';

const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
const FERRETDB_VERSION = 'v1.24.2';

/** Folders searched for `go` after PATH; /usr/local/go/bin is where the go.dev archive installs. */
const GO_FOLDERS = ['/usr/local/go/bin'];

/** Time limits for each Go command; estimates that leave room for a slow network. */
const GO_DOWNLOAD_TIMEOUT_MS = 5 * 60_000;
const GO_INSTALL_TIMEOUT_MS = 10 * 60_000;

/** A build lock older than this belongs to a process that died without removing it. */
const LOCK_STALE_MS = 10 * 60_000;

const READY_TIMEOUT_MS = 20_000;

export interface EnsureFerretDBOptions {
  /** Repository root; the binary, module cache and lock live in `<projectRoot>/.tools`. */
  projectRoot: string;
  log?: (line: string) => void;
}

/**
 * Returns the path of `<projectRoot>/.tools/bin/ferretdb`, building FerretDB v1.24.2 with Go
 * when the binary is missing or fails its `--version` check. The first build takes about a
 * minute. Concurrent callers, such as two jest workers, wait for one build through a lock.
 *
 * @throws DevstackError GO_MISSING, FERRETDB_BUILD_FAILED or LOCK_TIMEOUT.
 */
export async function ensureFerretDB(options: EnsureFerretDBOptions): Promise<string> {
  const { projectRoot, log } = options;
  const toolsDir = path.join(path.resolve(projectRoot), '.tools');
  const binary = path.join(toolsDir, 'bin', 'ferretdb');

  const problem = await checkFerretDBBinary(binary);
  if (problem === undefined) {
    return binary;
  }
  log?.(
    `ferretdb: ${problem}, so building ${FERRETDB_VERSION} with Go (about a minute the first time)`,
  );

  await fs.promises.mkdir(toolsDir, { recursive: true });
  const releaseLock = await acquireLock(path.join(toolsDir, 'ferretdb.lock'), {
    purpose: 'building FerretDB',
    staleAfterMs: LOCK_STALE_MS,
    log: (line) => log?.(`ferretdb: ${line}`),
  });
  try {
    // Another process may have finished the build while this one waited for the lock.
    if ((await checkFerretDBBinary(binary)) === undefined) {
      log?.(`ferretdb: ${binary} was built by another process`);
      return binary;
    }
    await buildFerretDB(toolsDir, binary, log);
  } finally {
    await releaseLock();
  }
  log?.(`ferretdb: built ${binary}`);
  return binary;
}

/**
 * Returns why `binary` is unusable, or undefined when `binary --version` prints the expected
 * version. A binary built by a plain `go install` exits with a panic here.
 */
async function checkFerretDBBinary(binary: string): Promise<string | undefined> {
  try {
    await fs.promises.access(binary, fs.constants.X_OK);
  } catch {
    return `${binary} is missing`;
  }

  const result = await new Promise<{ error: Error | null; stdout: string; stderr: string }>(
    (resolve) => {
      execFile(binary, ['--version'], { timeout: 10_000 }, (error, stdout, stderr) => {
        resolve({ error, stdout, stderr });
      });
    },
  );
  const expected = `version: ${FERRETDB_VERSION}`;
  if (result.error === null && result.stdout.split('\n').some((line) => line.trim() === expected)) {
    return undefined;
  }
  const firstErrorLine = result.stderr.split('\n')[0] ?? '';
  const reason = result.error === null ? `did not print "${expected}"` : firstErrorLine;
  return `${binary} --version failed (${reason})`;
}

/**
 * Builds FerretDB into a staging folder and renames the binary to `binary`, so a half-built
 * file is never at that path.
 */
async function buildFerretDB(
  toolsDir: string,
  binary: string,
  log: ((line: string) => void) | undefined,
): Promise<void> {
  const go = await findExecutable('go', GO_FOLDERS);
  if (go === undefined) {
    throw new DevstackError(
      'GO_MISSING',
      'Go was not found on PATH or in /usr/local/go/bin, and it is needed to build FerretDB ' +
        `${FERRETDB_VERSION}. Install it with \`apt-get install golang-go\` (or from ` +
        'https://go.dev/dl/), or set MONGO_URL to use an existing MongoDB.',
    );
  }

  // Go's build cache keys on source paths, so resolving symlinks lets builds from a linked
  // module cache reuse earlier compile results.
  const moduleCacheDir = path.join(toolsDir, 'gomod');
  await fs.promises.mkdir(moduleCacheDir, { recursive: true });
  const realModuleCacheDir = await fs.promises.realpath(moduleCacheDir);

  const stagingDir = await fs.promises.mkdtemp(path.join(toolsDir, 'ferretdb-build-'));
  try {
    // The module cache is project-local so the user's own cache is never modified, and
    // -modcacherw leaves the extracted files writable for the version.txt step below. The Go
    // commands run in the staging folder because it is not inside any Go module.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GOMODCACHE: realModuleCacheDir,
      GOFLAGS: `${process.env.GOFLAGS ?? ''} -modcacherw`.trim(),
      GOBIN: stagingDir,
      GOWORK: 'off',
    };
    const run = { go, cwd: stagingDir, env, log };

    // The module zip of FerretDB v1.24.2 lacks build/version/version.txt, which upstream
    // generates from `git describe`, so a plain `go install ...@v1.24.2` builds a binary that
    // panics at start with "Invalid build/version/version.txt". Download the module, write the
    // file into the extracted copy, then install from that copy.
    const downloadOutput = await runGo(
      run,
      ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`],
      GO_DOWNLOAD_TIMEOUT_MS,
    );
    const moduleDir = parseModuleDir(downloadOutput);
    const versionDir = path.join(moduleDir, 'build', 'version');
    await fs.promises.mkdir(versionDir, { recursive: true });
    // A cache filled without -modcacherw has read-only folders.
    await fs.promises.chmod(versionDir, 0o755);
    await fs.promises.writeFile(path.join(versionDir, 'version.txt'), `${FERRETDB_VERSION}\n`);

    await runGo(
      run,
      ['install', `${FERRETDB_MODULE}/cmd/ferretdb@${FERRETDB_VERSION}`],
      GO_INSTALL_TIMEOUT_MS,
    );

    const built = path.join(stagingDir, 'ferretdb');
    const problem = await checkFerretDBBinary(built);
    if (problem !== undefined) {
      throw new DevstackError(
        'FERRETDB_BUILD_FAILED',
        `go install finished but the FerretDB binary does not work: ${problem}. ` +
          `Delete ${path.join(toolsDir, 'gomod')} and run the command again.`,
      );
    }
    await fs.promises.mkdir(path.dirname(binary), { recursive: true });
    await fs.promises.rename(built, binary);
  } finally {
    await fs.promises.rm(stagingDir, { recursive: true, force: true });
  }
}

interface GoRun {
  go: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: ((line: string) => void) | undefined;
}

/** Runs one Go command, passes its stderr to `log`, and returns its stdout. */
async function runGo(run: GoRun, args: string[], timeoutMs: number): Promise<string> {
  const stdoutLines: string[] = [];
  const managed = await spawnManaged({
    name: 'go',
    command: run.go,
    args,
    env: run.env,
    cwd: run.cwd,
    onOutput: (line, stream) => {
      if (stream === 'stdout') {
        stdoutLines.push(line);
      } else {
        run.log?.(line);
      }
    },
  });

  const command = formatCommand('go', args);
  if (!(await exitsWithin(managed.exited, timeoutMs))) {
    await managed.stop();
    throw new DevstackError(
      'FERRETDB_BUILD_FAILED',
      `\`${command}\` timed out after ${timeoutMs} ms while building FerretDB and was stopped. ` +
        `Last output:\n${managed.outputTail()}`,
    );
  }
  const code = await managed.exited;
  if (code !== 0) {
    throw new DevstackError(
      'FERRETDB_BUILD_FAILED',
      `\`${command}\` failed with exit code ${String(code)} while building FerretDB. ` +
        `Last output:\n${managed.outputTail()}`,
    );
  }
  return stdoutLines.join('\n');
}

/** Reads the extraction folder from the JSON that `go mod download -json` prints. */
function parseModuleDir(output: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch (error) {
    throw new DevstackError(
      'FERRETDB_BUILD_FAILED',
      `go mod download -json printed invalid JSON: ${output.slice(0, 500)}`,
      { cause: error },
    );
  }
  const dir = typeof parsed === 'object' && parsed !== null && 'Dir' in parsed ? parsed.Dir : '';
  if (typeof dir !== 'string' || dir === '') {
    throw new DevstackError(
      'FERRETDB_BUILD_FAILED',
      `go mod download -json printed no "Dir" field: ${output.slice(0, 500)}`,
    );
  }
  return dir;
}

export interface StartFerretDBOptions {
  /** Path returned by `ensureFerretDB`. */
  binary: string;
  /** TCP port on 127.0.0.1. */
  port: number;
  /** Folder for the SQLite databases and FerretDB's state file. Created when missing. */
  dataDir: string;
  /**
   * PostgreSQL URL to store data in instead of SQLite files. With SQLite, FerretDB 1.24 pushes
   * only `_id` equality down to the database, so every other query reads the whole collection. With PostgreSQL, equality on any top-level field is pushed down.
   */
  postgresqlUrl?: string;
  /** File that the server's output is appended to. */
  logFile?: string;
  log?: (line: string) => void;
}

/**
 * Starts FerretDB on 127.0.0.1:`port`, on SQLite or on PostgreSQL when `postgresqlUrl` is
 * given, and resolves once the port accepts TCP connections.
 *
 * @throws DevstackError PROCESS_EXITED or START_TIMEOUT (after 20 s), with the last output.
 */
export async function startFerretDB(options: StartFerretDBOptions): Promise<ListeningProcess> {
  const { binary, port, logFile, log } = options;
  const dataDir = path.resolve(options.dataDir);
  await fs.promises.mkdir(dataDir, { recursive: true });

  const backend = options.postgresqlUrl
    ? ['--handler=postgresql', `--postgresql-url=${options.postgresqlUrl}`]
    : // FerretDB requires the SQLite URL to name a folder, which must end with a slash.
      ['--handler=sqlite', `--sqlite-url=file:${dataDir}/`];
  const args = [
    ...backend,
    `--listen-addr=127.0.0.1:${port}`,
    `--state-dir=${dataDir}`,
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=warn',
  ];
  await assertPortFree(port, 'ferretdb');
  const managed = await spawnManaged({ name: 'ferretdb', command: binary, args, logFile });
  log?.(`ferretdb: started ${binary} (pid ${managed.pid}) on port ${port}`);

  await waitUntilReady(managed, {
    probe: () => acceptsTcpConnection(port),
    readiness: `127.0.0.1:${port} accepted TCP connections`,
    timeoutMs: READY_TIMEOUT_MS,
  });

  const url = `mongodb://127.0.0.1:${port}/`;
  log?.(`ferretdb: ready at ${url}`);
  return Object.assign(managed, { url });
}
