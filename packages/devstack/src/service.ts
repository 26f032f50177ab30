import { DevstackError } from './errors';
import { spawnManaged, type ListeningProcess, type OutputStream } from './process';
import { assertPortFree, waitUntilReady } from './readiness';

export interface StartNodeServiceOptions {
  /** Label used in log lines and error messages, such as `cards-subgraph`. */
  name: string;
  /** JavaScript file that Node runs, usually a built `dist/main.js`. */
  script: string;
  /** Variables set on top of this process's environment. */
  env?: Record<string, string>;
  /** TCP port on 127.0.0.1 that the service listens on; the caller passes it in `env`. */
  port: number;
  /** Path that returns 200 once the service is ready. Default: `/readyz`. */
  readyPath?: string;
  /** Time allowed from start until `readyPath` returns 200, in ms. Default: 30 000. */
  timeoutMs?: number;
  /** Working directory of the service. Default: the current directory. */
  cwd?: string;
  /** File that the service's output is appended to. */
  logFile?: string;
  /** Called for every output line, without the line break. */
  onOutput?: (line: string, stream: OutputStream) => void;
}

/**
 * Runs `script` with this process's Node binary and resolves once
 * `http://127.0.0.1:<port><readyPath>` returns 200.
 *
 * @throws DevstackError PROCESS_EXITED when the script exits first, and START_TIMEOUT when it is
 * not ready in time, after stopping it. Both messages include the last output.
 */
export async function startNodeService(
  options: StartNodeServiceOptions,
): Promise<ListeningProcess> {
  const { name, script, port, readyPath = '/readyz', timeoutMs = 30_000 } = options;
  if (!readyPath.startsWith('/')) {
    throw new DevstackError(
      'INVALID_OPTION',
      `readyPath must start with "/", got ${JSON.stringify(readyPath)} for ${name}`,
    );
  }

  await assertPortFree(port, name);
  const managed = await spawnManaged({
    name,
    command: process.execPath,
    args: [script],
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    logFile: options.logFile,
    onOutput: options.onOutput,
  });

  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(managed, {
    probe: () => returnsOk(`${url}${readyPath}`),
    readiness: `GET ${url}${readyPath} returned 200`,
    timeoutMs,
  });
  return Object.assign(managed, { url });
}

/** Returns whether a GET of `url` returns status 200 within `timeoutMs`. */
async function returnsOk(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    // Read the body so the connection is released instead of waiting for garbage collection.
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    // Connection refused or timed out: the service is not listening yet.
    return false;
  }
}
