import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { MongoClient } from 'mongodb';
import type { ShardTargeting } from '../shardKeyCheck';
import { SpanAttribute, tracer } from './tracer';

/** Store spans still open, by the driver's request id of their command. */
export type OpenStoreSpans = Map<number, Span>;

/**
 * Gives every store command sent on behalf of a traced request or job a client span, named
 * `<command> <collection>` (such as `find cards`), from the driver's command monitoring. The
 * command text is never recorded, because filters and documents hold personal data. Commands
 * without an active span (start-up, driver bookkeeping) get none. Returns the open spans, so
 * that the shard-key check can add its verdict.
 */
export function traceStoreCommands(
  client: MongoClient,
  options: { dbName: string; ignoredCommands: ReadonlySet<string> },
): OpenStoreSpans {
  const open: OpenStoreSpans = new Map();

  client.on('commandStarted', (event) => {
    if (options.ignoredCommands.has(event.commandName)) return;
    if (!trace.getSpan(context.active())?.isRecording()) return;
    const target: unknown = event.command[event.commandName];
    const collection =
      typeof target === 'string'
        ? target
        : typeof event.command.collection === 'string'
          ? (event.command.collection as string)
          : undefined;
    const span = tracer.startSpan(
      collection ? `${event.commandName} ${collection}` : event.commandName,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'mongodb',
          'db.namespace': event.databaseName,
          'db.operation.name': event.commandName,
          ...(collection ? { 'db.collection.name': collection } : {}),
        },
      },
    );
    open.set(event.requestId, span);
  });

  client.on('commandSucceeded', (event) => {
    const span = open.get(event.requestId);
    if (!span) return;
    open.delete(event.requestId);
    span.end();
  });

  client.on('commandFailed', (event) => {
    const span = open.get(event.requestId);
    if (!span) return;
    open.delete(event.requestId);
    const code = (event.failure as { code?: unknown }).code;
    span.setAttribute('error.type', typeof code === 'number' ? String(code) : event.failure.name);
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });

  return open;
}

/** Adds the shard-key check's verdict on one command to its store span, if it has one. */
export function recordShardTargeting(
  open: OpenStoreSpans,
  requestId: number,
  targeting: ShardTargeting,
): void {
  const span = open.get(requestId);
  if (!span) return;
  span.setAttribute(SpanAttribute.ShardTargeting, targeting.kind);
  if (targeting.kind !== 'unchecked') {
    span.setAttribute(SpanAttribute.ShardKeyTargeted, targeting.kind === 'targeted');
  }
}
