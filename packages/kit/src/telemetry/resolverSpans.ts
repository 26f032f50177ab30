import { setTimeout as sleep } from 'node:timers/promises';
import { context, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import {
  defaultFieldResolver,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import { SpanAttribute, tracer } from './tracer';

/**
 * Resolver spans, one per resolver per wave of calls in a request, never one per call.
 *
 * A wave is the set of calls of one resolver that are in flight together: graphql-js calls a
 * field's resolver for every item of a list in one loop, so the 1,000 `Card.sentiment` calls for
 * 1,000 cards make one span, with `heartfelt.resolver.calls` = 1000, from the first
 * call's start to the last call's end. A resolver called again after its wave ended starts a
 * new span. The store, Redis and DataLoader spans a resolver causes are children of its span.
 *
 * Only resolvers written in the schema's resolver map are wrapped (fields using the default
 * resolver are trivial reads of the parent). A wave whose calls all returned a plain value is
 * not exported either, because it did no I/O.
 */

/** Options of {@link instrumentResolvers}. */
export interface ResolverInstrumentationOptions {
  /** Creates resolver spans; without it only the delays apply. */
  traced: boolean;
  /** Fault injection: delay in milliseconds by resolver (`<Type>.<field>`), before each call. */
  delaysMs?: ReadonlyMap<string, number>;
}

/** The open span of one resolver's wave in one request. */
interface Wave {
  span: Span;
  spanContext: Context;
  pending: number;
  calls: number;
  failed: boolean;
  returnedPromise: boolean;
}

/** Open waves by request context object, then by resolver. */
type WavesByResolver = Map<string, Wave>;

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function errorTypeOf(error: unknown): string {
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'unknown';
}

/** Returns the response path of a field without list indices, such as `me.cards.edges.node`. */
export function fieldPathOf(info: GraphQLResolveInfo): string {
  const keys: string[] = [];
  for (let path: GraphQLResolveInfo['path'] | undefined = info.path; path; path = path.prev) {
    if (typeof path.key === 'string') keys.push(path.key);
  }
  return keys.reverse().join('.');
}

/**
 * Wraps the resolvers of `schema` in place with aggregated resolver spans and the configured
 * fault delays. Returns the number of fields wrapped.
 */
export function instrumentResolvers(
  schema: GraphQLSchema,
  options: ResolverInstrumentationOptions,
): number {
  const delays = options.delaysMs ?? new Map<string, number>();
  const wavesByRequest = new WeakMap<object, WavesByResolver>();
  let wrapped = 0;

  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolver = `${type.name}.${field.name}`;
      const delayMs = delays.get(resolver);
      const hasOwnResolver = field.resolve !== undefined;
      if (!(options.traced && hasOwnResolver) && delayMs === undefined) continue;

      const original: GraphQLFieldResolver<unknown, unknown> =
        field.resolve ?? defaultFieldResolver;
      const call: GraphQLFieldResolver<unknown, unknown> =
        delayMs === undefined
          ? original
          : async (source, args, requestContext, info) => {
              await sleep(delayMs);
              return original(source, args, requestContext, info);
            };
      field.resolve = options.traced ? tracedResolver(resolver, call, wavesByRequest) : call;
      wrapped++;
    }
  }
  return wrapped;
}

function tracedResolver(
  resolver: string,
  call: GraphQLFieldResolver<unknown, unknown>,
  wavesByRequest: WeakMap<object, WavesByResolver>,
): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, requestContext, info) => {
    // Without a recording parent (tracing sampled out for this request) there is nothing to
    // aggregate into.
    if (!trace.getSpan(context.active())?.isRecording()) {
      return call(source, args, requestContext, info);
    }
    const key = (typeof requestContext === 'object' && requestContext) || info.operation;
    let waves = wavesByRequest.get(key);
    if (!waves) {
      waves = new Map();
      wavesByRequest.set(key, waves);
    }
    let wave = waves.get(resolver);
    if (!wave) {
      const span = tracer.startSpan(`resolve ${resolver}`, {
        attributes: {
          [SpanAttribute.Resolver]: resolver,
          'graphql.field.name': info.fieldName,
          'graphql.field.path': fieldPathOf(info),
        },
      });
      wave = {
        span,
        spanContext: trace.setSpan(context.active(), span),
        pending: 0,
        calls: 0,
        failed: false,
        returnedPromise: false,
      };
      waves.set(resolver, wave);
    }
    const current = wave;
    const currentWaves = waves;
    current.pending++;
    current.calls++;

    const settle = (error?: unknown) => {
      if (error !== undefined && !current.failed) {
        current.failed = true;
        // The error's code or class only: messages can echo input values.
        current.span.setAttribute('error.type', errorTypeOf(error));
      }
      if (--current.pending > 0) return;
      currentWaves.delete(resolver);
      // A wave of plain values did no I/O; its span is dropped unended, so it is not exported.
      // NOTE: a span that such a resolver starts for work it leaves running (neither returned
      // nor awaited) would name this dropped span as its parent.
      if (!current.returnedPromise && !current.failed) return;
      current.span.setAttribute(SpanAttribute.ResolverCalls, current.calls);
      if (current.failed) current.span.setStatus({ code: SpanStatusCode.ERROR });
      current.span.end();
    };

    let result: unknown;
    try {
      result = context.with(current.spanContext, () => call(source, args, requestContext, info));
    } catch (error) {
      settle(error);
      throw error;
    }
    if (Array.isArray(result) && result.some(isPromiseLike)) {
      // A list of promises, as `_entities` returns: the wave lasts until every item settles.
      current.returnedPromise = true;
      Promise.all(result).then(
        () => settle(),
        (error: unknown) => settle(error ?? 'rejected'),
      );
      return result;
    }
    if (!isPromiseLike(result)) {
      settle();
      return result;
    }
    current.returnedPromise = true;
    return Promise.resolve(result).then(
      (value) => {
        settle();
        return value;
      },
      (error: unknown) => {
        settle(error ?? 'rejected');
        throw error;
      },
    );
  };
}
