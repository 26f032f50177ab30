import type { Document, MongoClient } from 'mongodb';
import type { Logger } from './logger';
import { currentRequestScope } from './requestScope';
import type { ServiceMetrics } from './metrics';
import { shardKeys, type ShardedCollection } from './shardKeys';

/**
 * Prefix of a command `comment` that marks a query as scatter-gather by design, for example
 * `scatter-gather:birthday-scan`. The text after the prefix is the reason, a metric label, so it
 * must be a short constant and never hold request data.
 */
export const SCATTER_GATHER_COMMENT_PREFIX = 'scatter-gather:';

/** Returns the `comment` option that marks a deliberate scatter-gather query with `reason`. */
export function scatterGatherComment(reason: string): string {
  return `${SCATTER_GATHER_COMMENT_PREFIX}${reason}`;
}

/**
 * Routing of one command across the shards of a sharded cluster.
 * - `targeted`: every filter (or inserted document) names the shard key with one value or an
 *   `$in` list, so the router sends it only to the shards that own those values.
 * - `untargeted`: at least one filter lacks the shard key, so the router sends it to every shard.
 * - `scatter-gather`: untargeted on purpose, marked with a {@link scatterGatherComment}.
 * - `unchecked`: the collection is not sharded, or the command does not read or write documents.
 */
export type ShardTargeting =
  | { kind: 'targeted' | 'untargeted'; collection: ShardedCollection }
  | { kind: 'scatter-gather'; collection: ShardedCollection; reason: string }
  | { kind: 'unchecked' };

const unchecked: ShardTargeting = { kind: 'unchecked' };

function isShardedCollection(name: unknown): name is ShardedCollection {
  return typeof name === 'string' && Object.hasOwn(shardKeys, name);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    [Object.prototype, null].includes(Object.getPrototypeOf(value))
  );
}

/**
 * Returns true when a filter value pins the field to known values: a literal (including an
 * ObjectId or a Date), `{ $eq: v }` or `{ $in: [...] }`. Range and negation operators do not,
 * because the shard key is hashed and a range of values spans every shard.
 */
function isTargetingValue(value: unknown): boolean {
  if (!isPlainObject(value)) return value !== undefined;
  const operators = Object.keys(value);
  if (operators.length === 0 || !operators[0]!.startsWith('$')) return true;
  if (Object.hasOwn(value, '$eq')) return true;
  return Array.isArray(value.$in);
}

/**
 * Returns true when a query filter names the shard key `key` with an equality or `$in` value,
 * at its top level, inside any clause of an `$and`, or inside every clause of an `$or`.
 */
export function filterNamesShardKey(filter: unknown, key: string): boolean {
  if (!isPlainObject(filter)) return false;
  if (Object.hasOwn(filter, key) && isTargetingValue(filter[key])) return true;
  const { $and, $or } = filter;
  if (Array.isArray($and) && $and.some((clause) => filterNamesShardKey(clause, key))) return true;
  return (
    Array.isArray($or) && $or.length > 0 && $or.every((clause) => filterNamesShardKey(clause, key))
  );
}

/** Returns the filters of a command that the shard key must appear in, or null if none apply. */
function filtersOf(commandName: string, command: Document): unknown[] | null {
  switch (commandName) {
    case 'find':
      return [command.filter ?? {}];
    case 'count':
    case 'distinct':
    case 'findAndModify':
      return [command.query ?? {}];
    case 'aggregate': {
      const first: unknown = Array.isArray(command.pipeline) ? command.pipeline[0] : undefined;
      return [isPlainObject(first) && isPlainObject(first.$match) ? first.$match : {}];
    }
    case 'update':
      return Array.isArray(command.updates) ? command.updates.map((update) => update?.q) : [{}];
    case 'delete':
      return Array.isArray(command.deletes) ? command.deletes.map((remove) => remove?.q) : [{}];
    default:
      return null;
  }
}

function scatterGatherReason(command: Document): string | null {
  const comment: unknown = command.comment;
  if (typeof comment !== 'string' || !comment.startsWith(SCATTER_GATHER_COMMENT_PREFIX)) {
    return null;
  }
  return comment.slice(SCATTER_GATHER_COMMENT_PREFIX.length) || 'unspecified';
}

/**
 * Classifies one command by whether a sharded cluster could route it to the shards owning its
 * shard key values. Reads only the top level of each filter, so it is cheap enough to run on
 * every command. `getMore` is not classified here: it follows the cursor of the command that
 * opened it, which only the caller can remember.
 */
export function classifyCommand(commandName: string, command: Document): ShardTargeting {
  const collection: unknown = command[commandName];
  if (!isShardedCollection(collection)) return unchecked;
  const key = shardKeys[collection];

  let targeted: boolean;
  if (commandName === 'insert') {
    const documents: unknown = command.documents;
    targeted =
      Array.isArray(documents) &&
      documents.every((document) => isPlainObject(document) && document[key] !== undefined);
  } else {
    const filters = filtersOf(commandName, command);
    if (filters === null) return unchecked;
    targeted = filters.every((filter) => filterNamesShardKey(filter, key));
  }
  if (targeted) return { kind: 'targeted', collection };

  const reason = scatterGatherReason(command);
  if (reason !== null) return { kind: 'scatter-gather', collection, reason };
  return { kind: 'untargeted', collection };
}

/** Maximum number of open cursors remembered for `getMore`. The oldest is forgotten first. */
const MAX_REMEMBERED_CURSORS = 10_000;

/**
 * Counts every command on a sharded collection that lacks its shard key in
 * `heartfelt_store_untargeted_commands_total`, and every one marked scatter-gather in
 * `heartfelt_store_scatter_gather_commands_total`, through the client's command monitoring.
 * Untargeted commands are also logged at debug level with the collection and command only,
 * because filter values may contain personal data. A `getMore` counts as the `find` or
 * `aggregate` that opened its cursor did. The client needs `monitorCommands: true`.
 */
export function watchShardTargeting(
  client: MongoClient,
  options: {
    dbName: string;
    logger: Logger;
    metrics: ServiceMetrics;
    /** Receives the classification of each command, by the driver's request id. */
    onClassified?: (requestId: number, targeting: ShardTargeting) => void;
  },
): void {
  /** Classification of each find or aggregate in flight, by request id, until it replies. */
  const pendingCursors = new Map<number, ShardTargeting>();
  /** Classification of each open cursor, by cursor id, for the getMore commands that follow. */
  const openCursors = new Map<string, ShardTargeting>();
  /** Cursor id of each getMore in flight, by request id, to forget the cursor once exhausted. */
  const pendingGetMores = new Map<number, string>();

  const record = (targeting: ShardTargeting, commandName: string) => {
    if (targeting.kind === 'untargeted') {
      options.metrics.untargetedStoreCommands.inc({
        collection: targeting.collection,
        command: commandName,
      });
      options.logger.debug(
        { collection: targeting.collection, command: commandName },
        'store command without its shard key goes to every shard',
      );
    } else if (targeting.kind === 'scatter-gather') {
      options.metrics.scatterGatherStoreCommands.inc({
        collection: targeting.collection,
        reason: targeting.reason,
      });
    }
  };

  client.on('commandStarted', (event) => {
    if (event.databaseName !== options.dbName) return;
    const explain = currentRequestScope()?.explain;
    if (event.commandName === 'getMore') {
      const cursorKey = String(event.command.getMore);
      const collection: unknown = event.command.collection;
      let targeting = openCursors.get(cursorKey);
      if (targeting) {
        pendingGetMores.set(event.requestId, cursorKey);
      } else if (isShardedCollection(collection)) {
        // The cursor was opened before it could be remembered, or was forgotten since.
        targeting = { kind: 'untargeted', collection };
      }
      if (targeting) {
        record(targeting, 'getMore');
        options.onClassified?.(event.requestId, targeting);
      }
      if (typeof collection === 'string') {
        explain?.recordStoreCommand(collection, 'getMore', targeting ?? unchecked);
      }
      return;
    }
    const targeting = classifyCommand(event.commandName, event.command);
    options.onClassified?.(event.requestId, targeting);
    const collection: unknown = event.command[event.commandName];
    if (explain && typeof collection === 'string') {
      explain.recordStoreCommand(collection, event.commandName, targeting);
    }
    if (targeting.kind === 'unchecked') return;
    record(targeting, event.commandName);
    if (event.commandName === 'find' || event.commandName === 'aggregate') {
      pendingCursors.set(event.requestId, targeting);
    }
  });

  client.on('commandSucceeded', (event) => {
    const reply: unknown = event.reply;
    const cursor = isPlainObject(reply) ? reply.cursor : undefined;
    const cursorId = isPlainObject(cursor) ? cursor.id : undefined;
    const open = cursorId !== undefined && String(cursorId) !== '0';

    const getMoreCursor = pendingGetMores.get(event.requestId);
    if (getMoreCursor !== undefined) {
      pendingGetMores.delete(event.requestId);
      if (!open) openCursors.delete(getMoreCursor);
      return;
    }
    const targeting = pendingCursors.get(event.requestId);
    if (!targeting) return;
    pendingCursors.delete(event.requestId);
    if (!open) return;
    if (openCursors.size >= MAX_REMEMBERED_CURSORS) {
      openCursors.delete(openCursors.keys().next().value!);
    }
    openCursors.set(String(cursorId), targeting);
  });

  client.on('commandFailed', (event) => {
    pendingCursors.delete(event.requestId);
    pendingGetMores.delete(event.requestId);
  });
}
