export { DevstackError, type DevstackErrorCode } from './errors';
export { ensureFerretDB, startFerretDB } from './ferretdb';
export type { EnsureFerretDBOptions, StartFerretDBOptions } from './ferretdb';
export { findFreePort } from './ports';
export { spawnManaged, stopAll } from './process';
export type {
  ListeningProcess,
  ManagedProcess,
  OutputStream,
  SpawnManagedOptions,
} from './process';
export { startRedis } from './redis';
export type { RedisRole, StartRedisOptions } from './redis';
export { startNodeService } from './service';
export type { StartNodeServiceOptions } from './service';
export { findPostgresBin, startPostgres } from './postgres';
export type { StartPostgresOptions } from './postgres';
export { acquireLock } from './lock';
export type { AcquireLockOptions } from './lock';
export { findExecutable } from './executables';
export { checkMetricsText, ensurePromtool, PROMTOOL_MODULE_VERSION } from './promtool';
export type { EnsurePromtoolOptions } from './promtool';
