/** Stable identifiers for every failure that devstack reports. */
export type DevstackErrorCode =
  /** Go is not installed, so FerretDB cannot be built. */
  | 'GO_MISSING'
  /** `go mod download` or `go install` for FerretDB failed or produced a binary that does not run. */
  | 'FERRETDB_BUILD_FAILED'
  /** promtool could not be built and is not on PATH. */
  | 'PROMTOOL_UNAVAILABLE'
  /** Another process held the FerretDB build lock for longer than it may. */
  | 'LOCK_TIMEOUT'
  /** `redis-server` was not found on PATH or in the usual install folders. */
  | 'REDIS_SERVER_MISSING'
  /** PostgreSQL's `initdb` and `postgres` programs were not found. */
  | 'POSTGRES_MISSING'
  /** `initdb` failed to create a PostgreSQL data folder. */
  | 'POSTGRES_INIT_FAILED'
  /** Another process already listens on the port that a server was asked to use. */
  | 'PORT_IN_USE'
  /** The operating system could not start the command (not found, not executable). */
  | 'SPAWN_FAILED'
  /** A process did not become ready within its start timeout. */
  | 'START_TIMEOUT'
  /** A process exited before it became ready, or a command exited with a non-zero code. */
  | 'PROCESS_EXITED'
  /** A process was still running after SIGKILL. */
  | 'STOP_TIMEOUT'
  /** A function received an option value it cannot use. */
  | 'INVALID_OPTION';

/**
 * An expected failure while preparing or running local services. The message names what failed
 * and, where one exists, the command that fixes it. `code` lets callers branch without parsing
 * the message.
 */
export class DevstackError extends Error {
  override readonly name = 'DevstackError';

  constructor(
    readonly code: DevstackErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
