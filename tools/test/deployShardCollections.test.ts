import type { Document } from 'mongodb';
import { loadConfig, shardKeys, unshardedCollections } from '@heartfelt/kit';
import {
  parseShardList,
  shardCollections,
  ShardingError,
  shardingSettings,
  type RunCommand,
} from '../src/shardCollections';

// NOTE: no MongoDB sharded cluster can run here (FerretDB has no sharding commands), so these
// tests drive the script with a fake router that records each command and replies as MongoDB 7 does. The commands' real effect on a cluster is not tested.

interface RecordedCommand {
  dbName: string;
  command: Document;
}

/** Fake mongos with a fixed cluster state and a log of every command it received. */
function fakeRouter(state: { msg?: string; shards?: Document[]; shardedCollections?: Document[] }) {
  const commands: RecordedCommand[] = [];
  const runCommand: RunCommand = async (dbName, command) => {
    commands.push({ dbName, command });
    const name = Object.keys(command)[0];
    if (name === 'hello') return { ok: 1, isWritablePrimary: true, msg: state.msg };
    if (name === 'listShards') return { ok: 1, shards: state.shards ?? [] };
    if (name === 'find' && dbName === 'config') {
      const id = (command.filter as { _id: string })._id;
      const found = (state.shardedCollections ?? []).filter((doc) => doc._id === id);
      return { ok: 1, cursor: { firstBatch: found, id: 0, ns: 'config.collections' } };
    }
    return { ok: 1 };
  };
  const names = () => commands.map(({ command }) => Object.keys(command)[0]);
  return { runCommand, commands, names };
}

const silent = () => undefined;

describe('shardCollections', () => {
  it('shards every collection on its hashed key', async () => {
    const router = fakeRouter({ msg: 'isdbgrid' });
    const report = await shardCollections({
      runCommand: router.runCommand,
      dbName: 'heartfelt',
      shards: [],
      log: silent,
    });

    const shardCommands = router.commands.filter(({ command }) => 'shardCollection' in command);
    expect(shardCommands.map(({ command }) => command)).toEqual(
      Object.entries(shardKeys).map(([collection, field]) => ({
        shardCollection: `heartfelt.${collection}`,
        key: { [field]: 'hashed' },
      })),
    );
    expect(shardCommands.every(({ dbName }) => dbName === 'admin')).toBe(true);
    expect(report.shardedCollections).toEqual(Object.keys(shardKeys));
  });

  it('creates each hashed index before sharding', async () => {
    const router = fakeRouter({ msg: 'isdbgrid' });
    await shardCollections({
      runCommand: router.runCommand,
      dbName: 'heartfelt',
      shards: [],
      log: silent,
    });

    for (const [collection, field] of Object.entries(shardKeys)) {
      const indexAt = router.commands.findIndex(
        ({ command }) => command.createIndexes === collection,
      );
      const shardAt = router.commands.findIndex(
        ({ command }) => command.shardCollection === `heartfelt.${collection}`,
      );
      expect({ collection, indexFirst: indexAt >= 0 && indexAt < shardAt }).toEqual({
        collection,
        indexFirst: true,
      });
      expect(router.commands[indexAt]).toEqual({
        dbName: 'heartfelt',
        command: {
          createIndexes: collection,
          indexes: [{ key: { [field]: 'hashed' }, name: `${field}_hashed` }],
        },
      });
    }
  });

  it('enables sharding before sharding collections', async () => {
    const router = fakeRouter({ msg: 'isdbgrid' });
    await shardCollections({
      runCommand: router.runCommand,
      dbName: 'heartfelt',
      shards: [],
      log: silent,
    });

    const names = router.names();
    expect(router.commands).toContainEqual({
      dbName: 'admin',
      command: { enableSharding: 'heartfelt' },
    });
    expect(names.indexOf('enableSharding')).toBeLessThan(names.indexOf('shardCollection'));
  });

  it('leaves the unsharded collections alone', async () => {
    const router = fakeRouter({ msg: 'isdbgrid' });
    await shardCollections({
      runCommand: router.runCommand,
      dbName: 'heartfelt',
      shards: [],
      log: silent,
    });

    for (const collection of unshardedCollections) {
      const touched = router.commands.filter(
        ({ command }) =>
          command.shardCollection === `heartfelt.${collection}` ||
          command.createIndexes === collection,
      );
      expect({ collection, touched }).toEqual({ collection, touched: [] });
    }
  });

  it('skips collections already sharded on their key', async () => {
    const router = fakeRouter({
      msg: 'isdbgrid',
      shardedCollections: Object.entries(shardKeys).map(([collection, field]) => ({
        _id: `heartfelt.${collection}`,
        key: { [field]: 'hashed' },
        unique: false,
      })),
    });
    const report = await shardCollections({
      runCommand: router.runCommand,
      dbName: 'heartfelt',
      shards: [],
      log: silent,
    });

    expect(router.names()).not.toContain('shardCollection');
    expect(router.names()).not.toContain('createIndexes');
    expect(report.alreadySharded).toEqual(Object.keys(shardKeys));
  });

  it('rejects a collection sharded on another key', async () => {
    const router = fakeRouter({
      msg: 'isdbgrid',
      shardedCollections: [{ _id: 'heartfelt.cards', key: { _id: 'hashed' } }],
    });
    const run = shardCollections({
      runCommand: router.runCommand,
      dbName: 'heartfelt',
      shards: [],
      log: silent,
    });

    await expect(run).rejects.toThrow(ShardingError);
    await expect(run).rejects.toThrow(/heartfelt\.cards is sharded on \{"_id":"hashed"\}/);
    expect(router.commands).not.toContainEqual(
      expect.objectContaining({
        command: expect.objectContaining({ shardCollection: 'heartfelt.cards' }),
      }),
    );
  });

  it('rejects a target that is not a router', async () => {
    const router = fakeRouter({});
    const run = shardCollections({
      runCommand: router.runCommand,
      dbName: 'heartfelt',
      shards: [],
      log: silent,
    });

    await expect(run).rejects.toThrow(/does not point at a mongos router/);
    expect(router.names()).toEqual(['hello']);
  });

  it('adds only the missing shards', async () => {
    const router = fakeRouter({
      msg: 'isdbgrid',
      shards: [{ _id: 'shard-a', host: 'shard-a/mongo-shard-a:27018', state: 1 }],
    });
    const report = await shardCollections({
      runCommand: router.runCommand,
      dbName: 'heartfelt',
      shards: parseShardList('shard-a/mongo-shard-a:27018 shard-b/mongo-shard-b:27018'),
      log: silent,
    });

    const addShard = router.commands.filter(({ command }) => 'addShard' in command);
    expect(addShard).toEqual([
      { dbName: 'admin', command: { addShard: 'shard-b/mongo-shard-b:27018' } },
    ]);
    expect(report.addedShards).toEqual(['shard-b']);
  });

  it('adds no shards when none are listed', async () => {
    const router = fakeRouter({ msg: 'isdbgrid' });
    await shardCollections({
      runCommand: router.runCommand,
      dbName: 'heartfelt',
      shards: [],
      log: silent,
    });

    expect(router.names()).not.toContain('listShards');
    expect(router.names()).not.toContain('addShard');
  });
});

describe('shard list setting', () => {
  it('parses several members per shard', () => {
    expect(parseShardList(' rs0/a:27018,b:27018  rs1/c:27018 ')).toEqual([
      { replicaSet: 'rs0', hosts: ['a:27018', 'b:27018'] },
      { replicaSet: 'rs1', hosts: ['c:27018'] },
    ]);
  });

  it('rejects a shard without a replica set name', () => {
    expect(() => loadConfig(shardingSettings, { MONGO_SHARDS: 'mongo-shard-a:27018' })).toThrow(
      /MONGO_SHARDS: must list shards/,
    );
  });
});
