import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DevstackError } from './errors';
import type { ManagedProcess } from './process';

export interface WaitUntilReadyOptions {
  /** Returns true once the process serves requests. It must settle within about a second. */
  probe: () => Promise<boolean>;
  /** Description of the ready condition, completing "before ..." in error messages. */
  readiness: string;
  timeoutMs: number;
  /** Pause between probes. Default: 100 ms. */
  intervalMs?: number;
}

/**
 * Runs `probe` until it returns true. When the process exits first, or the timeout passes, the
 * error includes the process's last output. On timeout the process is stopped before the error
 * is thrown, so it does not outlive the failed start.
 *
 * @throws DevstackError PROCESS_EXITED or START_TIMEOUT.
 */
export async function waitUntilReady(
  managed: ManagedProcess,
  options: WaitUntilReadyOptions,
): Promise<void> {
  const { probe, readiness, timeoutMs, intervalMs = 100 } = options;
  let exit: { code: number | null } | undefined;
  void managed.exited.then((code) => {
    exit = { code };
  });

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exit !== undefined) {
      throw exitedEarlyError(managed, exit.code, readiness);
    }
    if (await probe()) {
      return;
    }
    await Promise.race([sleep(intervalMs), managed.exited]);
  }

  if (exit !== undefined) {
    throw exitedEarlyError(managed, exit.code, readiness);
  }
  await managed.stop();
  throw new DevstackError(
    'START_TIMEOUT',
    `${managed.name} (pid ${managed.pid}) did not become ready within ${timeoutMs} ms: ` +
      `timed out waiting until ${readiness}. The process was stopped. ` +
      `Last output:\n${formatTail(managed)}`,
  );
}

function exitedEarlyError(
  managed: ManagedProcess,
  code: number | null,
  readiness: string,
): DevstackError {
  const exitDescription = code === null ? 'was ended by a signal' : `exited with code ${code}`;
  return new DevstackError(
    'PROCESS_EXITED',
    `${managed.name} (pid ${managed.pid}) ${exitDescription} before ${readiness}. ` +
      `Last output:\n${formatTail(managed)}`,
  );
}

function formatTail(managed: ManagedProcess): string {
  const tail = managed.outputTail();
  return tail === '' ? '(no output)' : tail;
}

/**
 * Throws unless 127.0.0.1:`port` refuses connections. Otherwise a server that is already
 * listening there would pass the readiness probe for a new process whose own listen call failed.
 *
 * NOTE: another process can still take the port between this check and the server's bind.
 *
 * @throws DevstackError PORT_IN_USE.
 */
export async function assertPortFree(port: number, name: string): Promise<void> {
  if (await acceptsTcpConnection(port)) {
    throw new DevstackError(
      'PORT_IN_USE',
      `Port ${port} on 127.0.0.1 is already in use, so ${name} cannot listen on it. Find the ` +
        `process with \`ss -ltnp 'sport = :${port}'\`, stop it, or choose another port.`,
    );
  }
}

/** Returns whether a TCP connection to 127.0.0.1:`port` is accepted within `timeoutMs`. */
export function acceptsTcpConnection(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const finish = (accepted: boolean): void => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
