import {
  MongoClient,
  type Collection,
  type CreateIndexesOptions,
  type Db,
  type Document,
  type IndexDescription,
  type IndexSpecification,
} from 'mongodb';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';
import { watchShardTargeting } from './shardKeyCheck';
import { watchConnectionPool } from './storePoolMetrics';
import { recordShardTargeting, traceStoreCommands } from './telemetry/storeSpans';

/** Connection to the MongoDB-compatible store (MongoDB, or FerretDB locally). */
export interface Store {
  client: MongoClient;
  db: Db;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Connections the driver opens per server at most. */
const MAX_POOL_SIZE = 50;

/** Commands the driver sends for its own bookkeeping, not on behalf of a request. */
const bookkeepingCommands = new Set(['ping', 'hello', 'ismaster', 'isMaster', 'endSessions']);

/**
 * Connects to the store with command monitoring on, so that every command a request causes is
 * counted in `heartfelt_store_commands_total`, and every command on a sharded collection
 * without its shard key in `heartfelt_store_untargeted_commands_total`. When tracing is on,
 * each command of a traced request also gets a span with the shard-key verdict.
 */
export async function connectStore(options: {
  url: string;
  dbName: string;
  appName: string;
  logger: Logger;
  metrics: ServiceMetrics;
}): Promise<Store> {
  const client = new MongoClient(options.url, {
    appName: options.appName,
    monitorCommands: true,
    maxPoolSize: MAX_POOL_SIZE,
    serverSelectionTimeoutMS: 5000,
  });
  client.on('commandStarted', (event) => {
    if (bookkeepingCommands.has(event.commandName)) return;
    const target = event.command[event.commandName];
    const collection = typeof target === 'string' ? target : '';
    options.metrics.storeCommands.inc({ collection, command: event.commandName });
  });
  const storeSpans = traceStoreCommands(client, {
    dbName: options.dbName,
    ignoredCommands: bookkeepingCommands,
  });
  watchShardTargeting(client, {
    ...options,
    onClassified: (requestId, targeting) => recordShardTargeting(storeSpans, requestId, targeting),
  });
  watchConnectionPool(client, options.metrics.registry, MAX_POOL_SIZE);

  await client.connect();
  const db = client.db(options.dbName);
  options.logger.info({ db: options.dbName }, 'connected to the store');

  return {
    client,
    db,
    async ping() {
      await db.command({ ping: 1 });
    },
    async close() {
      await client.close();
    },
  };
}

/** Returns true for a duplicate-key error from a unique index. */
export function isDuplicateKeyError(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000
  );
}

/**
 * Creates indexes one `createIndexes` command each, which is idempotent on MongoDB and on
 * FerretDB alike. FerretDB 1.24 drops the connection (an internal panic) when one command
 * names several indexes that already exist, so a batched call cannot be repeated at start-up.
 */
export async function ensureIndexes<T extends Document>(
  collection: Collection<T>,
  indexes: IndexDescription[],
): Promise<void> {
  for (const { key, ...options } of indexes) {
    await collection.createIndex(key as IndexSpecification, options as CreateIndexesOptions);
  }
}

/**
 * Returns a filter value matching any of `values`: the value itself when there is one, else
 * `{ $in: values }`. FerretDB 1.24 pushes equality down to its backend but evaluates `$in`
 * by reading the whole collection, so the common single-owner case is written as equality.
 */
export function matchAny<T>(values: readonly T[]): T | { $in: T[] } {
  return values.length === 1 ? values[0]! : { $in: [...values] };
}
