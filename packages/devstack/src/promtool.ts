import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DevstackError } from './errors';
import { findExecutable } from './executables';
import { acquireLock } from './lock';

const run = promisify(execFile);

/**
 * Prometheus's Go module version of promtool. Prometheus 3 tags its Go module as v0.3xx.y,
 * so this is the module that Prometheus 3.16 ships.
 */
export const PROMTOOL_MODULE_VERSION = 'v0.316.0';
const PROMTOOL_PACKAGE = 'github.com/prometheus/prometheus/cmd/promtool';

/**
 * Build tags of promtool. `remove_all_sd` leaves out Prometheus's service discovery plugins
 * (Kubernetes, AWS, Azure, GCE and others), whose cloud SDKs take most of the build time. The
 * checks here need none of them: `check metrics` parses text, and the compose configuration
 * scrapes static targets, which are not a plugin.
 */
const PROMTOOL_BUILD_TAGS = 'remove_all_sd';

/** Contents of the stamp file next to a finished build. */
const BUILD_STAMP = `${PROMTOOL_MODULE_VERSION} tags=${PROMTOOL_BUILD_TAGS}`;

const GO_FOLDERS = ['/usr/local/go/bin'];

/** Time allowed for `go install`, module downloads included; an estimate for a slow network. */
const GO_INSTALL_TIMEOUT_MS = 15 * 60_000;
const LOCK_STALE_MS = 20 * 60_000;

export interface EnsurePromtoolOptions {
  /** Repository root; the binary, module cache and lock live in `<projectRoot>/.tools`. */
  projectRoot: string;
  log?: (line: string) => void;
}

/**
 * Returns the path of a working `promtool`: `<projectRoot>/.tools/bin/promtool`, built with Go
 * from Prometheus's module when missing, or else one found on PATH. The Go build uses a
 * project-local module cache and no toolchain download, so it reaches only the Go module proxy.
 * Concurrent callers wait for one build through a lock.
 *
 * @throws DevstackError PROMTOOL_UNAVAILABLE when there is neither Go nor a promtool on PATH,
 * or when the build fails, and LOCK_TIMEOUT.
 */
export async function ensurePromtool(options: EnsurePromtoolOptions): Promise<string> {
  const { log } = options;
  const toolsDir = path.join(path.resolve(options.projectRoot), '.tools');
  const binary = path.join(toolsDir, 'bin', 'promtool');
  const stampFile = path.join(toolsDir, 'promtool.version');
  if (await isBuilt(binary, stampFile)) return binary;

  const go = await findExecutable('go', GO_FOLDERS);
  if (go === undefined) {
    const onPath = await findExecutable('promtool');
    if (onPath !== undefined && (await runsVersion(onPath))) return onPath;
    throw new DevstackError(
      'PROMTOOL_UNAVAILABLE',
      'promtool is needed to check the /metrics output, and neither Go (to build it into ' +
        '.tools/bin) nor a promtool on PATH was found. Install Go from https://go.dev/dl/, or ' +
        'install promtool with `apt-get install prometheus`.',
    );
  }

  await fs.promises.mkdir(toolsDir, { recursive: true });
  const release = await acquireLock(path.join(toolsDir, 'promtool.lock'), {
    purpose: 'building promtool',
    staleAfterMs: LOCK_STALE_MS,
    log: (line) => log?.(`promtool: ${line}`),
  });
  try {
    if (await isBuilt(binary, stampFile)) return binary;
    log?.(`promtool: building ${PROMTOOL_PACKAGE}@${PROMTOOL_MODULE_VERSION} with Go (minutes)`);
    const started = Date.now();
    await buildPromtool(go, toolsDir, binary);
    await fs.promises.writeFile(stampFile, BUILD_STAMP);
    log?.(`promtool: built ${binary} in ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    await release();
  }
  return binary;
}

async function isBuilt(binary: string, stampFile: string): Promise<boolean> {
  const stamp = await fs.promises.readFile(stampFile, 'utf8').catch(() => '');
  return stamp === BUILD_STAMP && (await runsVersion(binary));
}

async function runsVersion(binary: string): Promise<boolean> {
  try {
    await run(binary, ['--version'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** Builds promtool into a staging folder, then renames it into place. */
async function buildPromtool(go: string, toolsDir: string, binary: string): Promise<void> {
  const moduleCache = path.join(toolsDir, 'gomod');
  await fs.promises.mkdir(moduleCache, { recursive: true });
  const staging = await fs.promises.mkdtemp(path.join(toolsDir, 'promtool-build-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Project-local, like FerretDB's build, so that the user's own cache is untouched.
    GOMODCACHE: await fs.promises.realpath(moduleCache),
    GOFLAGS: `${process.env.GOFLAGS ?? ''} -modcacherw`.trim(),
    GOWORK: 'off',
    GOTOOLCHAIN: 'local',
    GOBIN: staging,
  };
  try {
    // Run in the staging folder, which is inside no Go module.
    const args = ['install', `-tags=${PROMTOOL_BUILD_TAGS}`];
    await run(go, [...args, `${PROMTOOL_PACKAGE}@${PROMTOOL_MODULE_VERSION}`], {
      cwd: staging,
      env,
      timeout: GO_INSTALL_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    await fs.promises.mkdir(path.dirname(binary), { recursive: true });
    await fs.promises.rename(path.join(staging, 'promtool'), binary);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new DevstackError(
      'PROMTOOL_UNAVAILABLE',
      `\`go install -tags=${PROMTOOL_BUILD_TAGS} ${PROMTOOL_PACKAGE}@${PROMTOOL_MODULE_VERSION}\` ` +
        `failed: ` +
        `${(error as Error).message}\n${stderr.slice(-2000)}`,
      { cause: error },
    );
  } finally {
    await fs.promises.rm(staging, { recursive: true, force: true });
  }
}

/**
 * Pipes a /metrics text into `promtool check metrics` and returns every line it printed (its
 * parse errors and lint warnings); an empty list means the text passed.
 */
export async function checkMetricsText(promtool: string, text: string): Promise<string[]> {
  const result = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = execFile(
      promtool,
      ['check', 'metrics'],
      { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, output: `${stdout}${stderr}` });
      },
    );
    child.stdin?.end(text);
  });
  const lines = result.output.split('\n').filter((line) => line.trim() !== '');
  if (result.code !== 0 && lines.length === 0) lines.push(`promtool exited with ${result.code}`);
  return lines;
}
