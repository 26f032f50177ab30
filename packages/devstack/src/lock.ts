import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DevstackError } from './errors';

const POLL_INTERVAL_MS = 1000;

export interface AcquireLockOptions {
  /** Description of the protected work, completing "another process is ..." in messages. */
  purpose: string;
  /** Age after which a lock counts as left behind by a process that died. */
  staleAfterMs: number;
  log?: (line: string) => void;
}

/**
 * Creates the folder `lockDir` as a lock between processes, waiting while another process holds
 * it, and returns the function that removes it. `mkdir` fails with EEXIST when the folder exists,
 * so only one process can create it. A lock is taken over when the process id recorded in it no
 * longer runs, or when it is older than `staleAfterMs`.
 *
 * NOTE: the owner check compares process ids, so it assumes that every process using the lock
 * runs on this host in the same pid namespace. Two processes that take over the same stale lock
 * at once can both get it; callers must keep their work safe to run twice.
 *
 * @throws DevstackError LOCK_TIMEOUT when the lock stays held past `staleAfterMs` plus a minute.
 */
export async function acquireLock(
  lockDir: string,
  options: AcquireLockOptions,
): Promise<() => Promise<void>> {
  const { purpose, staleAfterMs, log } = options;
  const ownerFile = path.join(lockDir, 'owner-pid');
  const release = async (): Promise<void> => {
    await fs.promises.rm(lockDir, { recursive: true, force: true });
  };

  // Past staleAfterMs any lock counts as stale, so the loop normally ends well before this.
  const deadline = Date.now() + staleAfterMs + 60_000;
  let waitReported = false;
  while (Date.now() < deadline) {
    try {
      await fs.promises.mkdir(lockDir);
      await fs.promises.writeFile(ownerFile, String(process.pid));
      return release;
    } catch (error) {
      if (!isErrnoException(error) || error.code !== 'EEXIST') {
        throw error;
      }
    }

    const staleReason = await findStaleReason(lockDir, ownerFile, staleAfterMs);
    if (staleReason !== undefined) {
      log?.(`removing lock ${lockDir} because ${staleReason}`);
      await release();
      continue;
    }
    if (!waitReported) {
      log?.(`waiting for lock ${lockDir}: another process is ${purpose}`);
      waitReported = true;
    }
    await sleep(POLL_INTERVAL_MS);
  }
  throw new DevstackError(
    'LOCK_TIMEOUT',
    `Timed out waiting for lock ${lockDir} while another process is ${purpose}. If no other ` +
      `process is ${purpose}, remove the lock with \`rm -r ${lockDir}\` and try again.`,
  );
}

/** Returns why the lock may be taken over, or undefined while its owner may still be working. */
async function findStaleReason(
  lockDir: string,
  ownerFile: string,
  staleAfterMs: number,
): Promise<string | undefined> {
  let ageMs: number;
  try {
    ageMs = Date.now() - (await fs.promises.stat(lockDir)).mtimeMs;
  } catch {
    // The owner removed the lock after our mkdir failed, so the next attempt can take it.
    return undefined;
  }
  if (ageMs > staleAfterMs) {
    return `it is ${Math.round(ageMs / 1000)} s old`;
  }

  let ownerPid: number;
  try {
    ownerPid = Number.parseInt(await fs.promises.readFile(ownerFile, 'utf8'), 10);
  } catch {
    // The owner has created the folder but not yet written its pid.
    return undefined;
  }
  if (!Number.isInteger(ownerPid) || ownerPid <= 0 || ownerPid === process.pid) {
    return undefined;
  }
  try {
    // Signal 0 checks that the process exists without sending anything.
    process.kill(ownerPid, 0);
    return undefined;
  } catch (error) {
    // EPERM means the process exists but belongs to another user.
    if (isErrnoException(error) && error.code === 'ESRCH') {
      return `its owner process ${ownerPid} no longer runs`;
    }
    return undefined;
  }
}

/** Checks the shape, not `instanceof Error`, because errors from another realm (jest) fail it. */
function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return typeof error === 'object' && error !== null && 'code' in error;
}
