import { ConfigError, loadConfig, shardKeys } from '@heartfelt/kit';
import { MongoClient, type Document } from 'mongodb';
import { z } from 'zod';

/**
 * Shards the graph's collections on a MongoDB cluster through its mongos router. It adds the
 * shards named in MONGO_SHARDS that the cluster does not list yet, and enables sharding for the
 * database. Then it shards every collection of `shardKeys` (packages/kit/src/shardKeys.ts) on
 * its hashed key, creating the hashed index first. Every step is skipped when it is already
 * done, so the script is safe to run on every deployment.
 *
 * Run: MONGO_URL=mongodb://mongos:27017/ node tools/dist/shardCollections.js
 * Exit status: 0 when done, 1 when a command failed, 78 when a setting is invalid.
 */

/** Runs one command against one database, as `MongoClient#db(dbName).command` does. */
export type RunCommand = (dbName: string, command: Document) => Promise<Document>;

/** A shard to add: its replica set name and the `host:port` of one or more of its members. */
export interface ShardSpec {
  replicaSet: string;
  hosts: string[];
}

export interface ShardCollectionsOptions {
  runCommand: RunCommand;
  dbName: string;
  /** Shards to add when missing; empty when the cluster's operator manages its shards. */
  shards: readonly ShardSpec[];
  log: (line: string) => void;
}

/** Changes made by one run, by step. */
export interface ShardingReport {
  addedShards: string[];
  /** Collections sharded by this run. */
  shardedCollections: string[];
  /** Collections that were already sharded on the expected key. */
  alreadySharded: string[];
}

/** Raised when the cluster is in a state the script must not change on its own. */
export class ShardingError extends Error {
  override name = 'ShardingError';
}

/** Settings of the script, validated at start like every service's. */
export const shardingSettings = {
  MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URL of a mongos router')
    .default('mongodb://127.0.0.1:27017/'),
  MONGO_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,60}$/)
    .default('heartfelt'),
  /**
   * Shards to add, separated by spaces, each `<replicaSet>/<host:port>[,<host:port>...]`, such
   * as `shard-a/mongo-shard-a:27018 shard-b/mongo-shard-b:27018`. Empty adds none.
   */
  MONGO_SHARDS: z
    .string()
    .regex(
      /^\s*([\w-]+\/[\w.-]+:\d+(,[\w.-]+:\d+)*\s*)*$/,
      'must list shards as <replicaSet>/<host:port>[,<host:port>...], separated by spaces',
    )
    .default(''),
};

/** Parses MONGO_SHARDS; the setting's regular expression has already checked the format. */
export function parseShardList(value: string): ShardSpec[] {
  return value
    .split(/\s+/)
    .filter((entry) => entry !== '')
    .map((entry) => {
      const [replicaSet, hosts] = entry.split('/') as [string, string];
      return { replicaSet, hosts: hosts.split(',') };
    });
}

/** Reads the `firstBatch` of a `find` command reply. */
function firstBatch(reply: Document): Document[] {
  const cursor = reply.cursor as { firstBatch?: Document[] } | undefined;
  return cursor?.firstBatch ?? [];
}

/** Returns the shard key document `{ <field>: 'hashed' }` for a collection's key field. */
function hashedKey(field: string): Document {
  return { [field]: 'hashed' };
}

function sameKey(actual: unknown, expected: Document): boolean {
  return JSON.stringify(actual) === JSON.stringify(expected);
}

/**
 * Checks that the connection goes to a mongos router: sharding commands sent to a plain
 * replica set member or to FerretDB fail, and a router replies to `hello` with msg "isdbgrid".
 */
async function assertRouter(runCommand: RunCommand): Promise<void> {
  const hello = await runCommand('admin', { hello: 1 });
  if (hello.msg !== 'isdbgrid') {
    throw new ShardingError(
      'MONGO_URL does not point at a mongos router (its hello reply lacks msg "isdbgrid"). ' +
        'Set MONGO_URL to the mongos address of the sharded cluster.',
    );
  }
}

async function addMissingShards(options: ShardCollectionsOptions): Promise<string[]> {
  const { runCommand, shards, log } = options;
  if (shards.length === 0) return [];

  const listed = ((await runCommand('admin', { listShards: 1 })).shards ?? []) as Document[];
  const present = new Set(listed.map((shard) => String(shard.host ?? '').split('/')[0]));
  const added: string[] = [];
  for (const shard of shards) {
    if (present.has(shard.replicaSet)) {
      log(`shard ${shard.replicaSet} is already in the cluster`);
      continue;
    }
    await runCommand('admin', { addShard: `${shard.replicaSet}/${shard.hosts.join(',')}` });
    log(`added shard ${shard.replicaSet}`);
    added.push(shard.replicaSet);
  }
  return added;
}

/** Shards one collection on its hashed key unless it is already sharded on that key. */
async function shardCollection(
  options: ShardCollectionsOptions,
  collection: string,
  field: string,
): Promise<'sharded' | 'already sharded'> {
  const { runCommand, dbName, log } = options;
  const namespace = `${dbName}.${collection}`;
  const key = hashedKey(field);

  const [existing] = firstBatch(
    await runCommand('config', { find: 'collections', filter: { _id: namespace }, limit: 1 }),
  );
  if (existing !== undefined && existing.dropped !== true) {
    if (sameKey(existing.key, key)) {
      log(`${namespace} is already sharded on ${JSON.stringify(key)}`);
      return 'already sharded';
    }
    throw new ShardingError(
      `${namespace} is sharded on ${JSON.stringify(existing.key)}, but the code expects ` +
        `${JSON.stringify(key)}. Changing a shard key needs a planned reshardCollection; ` +
        'this script does not do it.',
    );
  }

  // shardCollection needs an index that supports the key; creating it first is also what
  // makes the command work on a collection that already contains documents.
  await runCommand(dbName, {
    createIndexes: collection,
    indexes: [{ key, name: `${field}_hashed` }],
  });
  await runCommand('admin', { shardCollection: namespace, key });
  log(`sharded ${namespace} on ${JSON.stringify(key)}`);
  return 'sharded';
}

/**
 * Brings the cluster to the sharding layout of `shardKeys`, issuing only the commands that are
 * still needed. Collections missing from `shardKeys`, such as `templates`, stay unsharded.
 *
 * @throws ShardingError when the target is not a mongos router, or a collection is sharded on a
 * different key. A failed MongoDB command is raised as the driver's error.
 */
export async function shardCollections(options: ShardCollectionsOptions): Promise<ShardingReport> {
  const { runCommand, dbName, log } = options;
  await assertRouter(runCommand);
  const addedShards = await addMissingShards(options);

  // Needed before MongoDB 6.0; from 6.0 on it is accepted and does nothing new.
  await runCommand('admin', { enableSharding: dbName });
  log(`sharding is enabled for database ${dbName}`);

  const report: ShardingReport = { addedShards, shardedCollections: [], alreadySharded: [] };
  for (const [collection, field] of Object.entries(shardKeys)) {
    const outcome = await shardCollection(options, collection, field);
    if (outcome === 'sharded') report.shardedCollections.push(collection);
    else report.alreadySharded.push(collection);
  }
  return report;
}

async function main(): Promise<void> {
  let settings: z.infer<z.ZodObject<typeof shardingSettings>>;
  try {
    settings = loadConfig(shardingSettings);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`shard-collections: ${error.message}`);
    process.exit(78);
  }

  const client = new MongoClient(settings.MONGO_URL, {
    appName: 'shard-collections',
    serverSelectionTimeoutMS: 30_000,
  });
  try {
    await client.connect();
    const report = await shardCollections({
      runCommand: (dbName, command) => client.db(dbName).command(command),
      dbName: settings.MONGO_DB,
      shards: parseShardList(settings.MONGO_SHARDS),
      log: (line) => console.log(`shard-collections: ${line}`),
    });
    console.log(
      `shard-collections: done (${report.addedShards.length} shards added, ` +
        `${report.shardedCollections.length} collections sharded now, ` +
        `${report.alreadySharded.length} already sharded)`,
    );
  } finally {
    await client.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const message = error instanceof ShardingError ? error.message : String(error);
    console.error(`shard-collections: failed: ${message}`);
    process.exit(1);
  });
}
