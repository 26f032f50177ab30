import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { DevstackError } from './errors';

/** Number of output lines each process keeps for error messages. */
const OUTPUT_TAIL_LINES = 50;

/** Max wait for buffered output after a process exits. See the comment at `exited` below. */
const OUTPUT_DRAIN_MS = 500;

/** Time allowed for the process to disappear after SIGKILL. */
const KILL_WAIT_MS = 5000;

/** A child process that this module started and will stop. */
export interface ManagedProcess {
  /** Label used in log lines and error messages, such as `redis-cache`. */
  readonly name: string;
  readonly pid: number;
  /**
   * Sends SIGTERM, then SIGKILL if the process is still running after `timeoutMs`
   * (default 10 000 ms). Resolves once the process has exited.
   */
  stop(timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code, or with null when a signal ended the process. */
  readonly exited: Promise<number | null>;
  /** Returns the last lines the process wrote to stdout and stderr, oldest first. */
  outputTail(): string;
}

/** A managed server process and the address it listens on. */
export interface ListeningProcess extends ManagedProcess {
  /** Address clients connect to, such as `redis://127.0.0.1:6379` or `http://127.0.0.1:4001`. */
  readonly url: string;
}

export type OutputStream = 'stdout' | 'stderr';

export interface SpawnManagedOptions {
  /** Label used in log lines and error messages. */
  name: string;
  command: string;
  args: readonly string[];
  /** The complete environment of the child. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Working directory of the child. Default: the current directory. */
  cwd?: string;
  /** File that every output line is appended to. Its folder is created when missing. */
  logFile?: string;
  /** Called for every output line, without the line break. */
  onOutput?: (line: string, stream: OutputStream) => void;
  /** Signal that `stop()` sends first. Default: SIGTERM. */
  stopSignal?: NodeJS.Signals;
  /** User and group id to run the child as (needs root). Default: this process's. */
  uid?: number;
  gid?: number;
}

interface LiveProcess {
  child: ChildProcess;
  stop(timeoutMs?: number): Promise<void>;
}

/** Processes that were started and whose exit has not been observed yet. */
const liveProcesses = new Set<LiveProcess>();
let exitHookInstalled = false;

/**
 * Kills every live child when this Node process exits, because an exit handler may only run
 * synchronous code and orphaned servers would keep their ports.
 *
 * NOTE: Node runs 'exit' handlers on a normal exit and on `process.exit()`, but not when this
 * process is killed by a signal it does not handle. A supervisor should handle SIGINT and
 * SIGTERM and call `stopAll()`.
 */
function installExitHook(): void {
  if (exitHookInstalled) {
    return;
  }
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const live of liveProcesses) {
      live.child.kill('SIGKILL');
    }
  });
}

/**
 * Starts `command` with its output piped, records it so `stopAll()` and the exit hook can stop
 * it, and resolves once the operating system has started it.
 *
 * @throws DevstackError SPAWN_FAILED when the command cannot be started, for example when it is
 * not found or not executable.
 */
export async function spawnManaged(options: SpawnManagedOptions): Promise<ManagedProcess> {
  const { name, command, args, env = process.env, cwd, logFile, onOutput } = options;
  const tail: string[] = [];
  const logStream = logFile === undefined ? undefined : await openLogFile(logFile, tail);

  const child = spawn(command, args, {
    env,
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  } catch (error) {
    logStream?.end();
    const reason = error instanceof Error ? error.message : String(error);
    throw new DevstackError(
      'SPAWN_FAILED',
      `Failed to start ${name} with \`${formatCommand(command, args)}\`: ${reason}`,
      { cause: error },
    );
  }

  const pid = child.pid;
  if (pid === undefined) {
    // Node emits 'spawn' only after the process exists, so a pid is always set here.
    throw new DevstackError('SPAWN_FAILED', `Started ${name} but the child has no pid`);
  }

  const recordLine = (line: string, stream: OutputStream): void => {
    tail.push(line);
    if (tail.length > OUTPUT_TAIL_LINES) {
      tail.shift();
    }
    logStream?.write(`${line}\n`);
    onOutput?.(line, stream);
  };
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    recordLine(line, 'stdout');
  });
  readline.createInterface({ input: child.stderr }).on('line', (line) => {
    recordLine(line, 'stderr');
  });

  // After 'spawn', 'error' only reports a failed kill(); keep it in the tail instead of
  // letting an unhandled 'error' event crash this process.
  child.on('error', (error) => {
    recordLine(`[devstack] ${name} (pid ${pid}): ${error.message}`, 'stderr');
  });

  // The last lines a process writes may still sit in the pipes when 'exit' fires, so wait for
  // 'close' to make the tail complete. Wait at most OUTPUT_DRAIN_MS, because a grandchild that
  // inherited the pipes can keep them open long after the child itself is gone.
  let running = true;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running = false;
      liveProcesses.delete(live);
      const finish = (): void => {
        clearTimeout(drainTimer);
        logStream?.end();
        resolve(code);
      };
      const drainTimer = setTimeout(finish, OUTPUT_DRAIN_MS);
      child.once('close', finish);
    });
  });

  const stop = async (timeoutMs = 10_000): Promise<void> => {
    if (!running) {
      await exited;
      return;
    }
    // ChildProcess.kill signals this pid only while Node has not reaped the child, so a pid
    // that the system has since reused for another process is never signalled.
    child.kill(options.stopSignal ?? 'SIGTERM');
    if (await exitsWithin(exited, timeoutMs)) {
      return;
    }
    child.kill('SIGKILL');
    if (await exitsWithin(exited, KILL_WAIT_MS)) {
      return;
    }
    throw new DevstackError(
      'STOP_TIMEOUT',
      `${name} (pid ${pid}) was still running ${KILL_WAIT_MS} ms after SIGKILL`,
    );
  };

  const live: LiveProcess = { child, stop };
  liveProcesses.add(live);
  installExitHook();

  return {
    name,
    pid,
    stop,
    exited,
    outputTail: () => tail.join('\n'),
  };
}

/**
 * Stops every process started by `spawnManaged` that is still running, each with SIGTERM and
 * then SIGKILL after `timeoutMs` (default 10 000 ms).
 */
export async function stopAll(timeoutMs = 10_000): Promise<void> {
  const stops = [...liveProcesses].map((live) => live.stop(timeoutMs));
  await Promise.all(stops);
}

/** Returns whether `exited` settles within `timeoutMs`. */
export async function exitsWithin(exited: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([exited.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function openLogFile(logFile: string, tail: string[]): Promise<fs.WriteStream> {
  await fs.promises.mkdir(path.dirname(logFile), { recursive: true });
  const handle = await fs.promises.open(logFile, 'a');
  const stream = handle.createWriteStream();
  stream.on('error', (error) => {
    tail.push(`[devstack] writing log file ${logFile} failed: ${error.message}`);
  });
  return stream;
}

/** Formats a command line for messages, quoting empty and space-containing arguments. */
export function formatCommand(command: string, args: readonly string[]): string {
  const quote = (part: string): string => (part === '' || /\s/.test(part) ? `'${part}'` : part);
  return [command, ...args].map(quote).join(' ');
}
