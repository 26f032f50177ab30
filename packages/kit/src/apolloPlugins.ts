import type { ApolloServerPlugin, BaseContext, GraphQLResponse } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLObjectType, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { ErrorCode, isExpectedCode } from './errors';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';
import { currentRequestScope } from './requestScope';
import { currentTraceId } from './traceId';

/**
 * Returns a `formatError` that passes expected errors through and masks everything else: the
 * client gets a generic INTERNAL_SERVER_ERROR with a trace id, and the original is logged once
 * here with the same id.
 */
export function maskUnexpectedErrors(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (isExpectedCode(code)) {
      // Stack traces stay on the server even for expected errors.
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const original = unwrapResolverError(error);
    const traceId = currentTraceId();
    logger.error(
      { err: original, path: formatted.path, traceId },
      'unexpected error in a resolver',
    );
    return {
      message: 'Internal server error.',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.InternalServerError, traceId },
    };
  };
}

/** Returns the `extensions.code` of each error in a response that is sent whole. */
function errorCodesOf(response: GraphQLResponse): string[] {
  if (response.body.kind !== 'single') return [];
  return (response.body.singleResult.errors ?? []).map((error) => {
    const code = error.extensions?.code;
    return typeof code === 'string' && code.length <= 64 ? code : ErrorCode.InternalServerError;
  });
}

/**
 * Records each operation's duration and outcome in `heartfelt_graphql_operation_duration_seconds`
 * and each error code the client receives in `heartfelt_graphql_errors_total`. The operation
 * name also goes into the request scope, so that every log record of the request carries it.
 */
export function operationMetricsPlugin<Context extends BaseContext>(
  metrics: ServiceMetrics,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const startedAt = process.hrtime.bigint();
      return {
        async didResolveOperation(requestContext) {
          const scope = currentRequestScope();
          if (scope && requestContext.operationName) {
            scope.operation = requestContext.operationName;
          }
        },
        async willSendResponse(requestContext) {
          const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
          const codes = errorCodesOf(requestContext.response);
          const operation = metrics.operationLabels.of(requestContext.operationName);
          const outcome = codes.length > 0 || requestContext.errors?.length ? 'error' : 'ok';
          metrics.operationDuration.observe({ operation, outcome }, seconds);
          for (const code of codes) metrics.graphqlErrors.inc({ code });
        },
      };
    },
  };
}

/**
 * Returns the schema coordinates (`Card.template`) of root fields and of fields with a resolver
 * of their own. Call it before Apollo Server starts, because Apollo Server then wraps every
 * field's resolver to call plugins.
 */
export function fieldsWithResolvers(schema: GraphQLSchema): Set<string> {
  const coordinates = new Set<string>();
  const roots = new Set([schema.getQueryType(), schema.getMutationType()]);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (roots.has(type) || field.resolve) coordinates.add(`${type.name}.${field.name}`);
    }
  }
  return coordinates;
}

/**
 * Times the resolvers worth timing in `heartfelt_graphql_resolver_duration_seconds`: root fields
 * and fields with a resolver of their own (see {@link fieldsWithResolvers}), which are the ones
 * that read a loader, the store or another service. The label is the schema coordinate rather
 * than the response path, because aliases and list indices would let clients create new series.
 */
export function resolverMetricsPlugin<Context extends BaseContext>(
  metrics: ServiceMetrics,
  timedFields: ReadonlySet<string>,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart() {
          return {
            willResolveField({ info }) {
              const field = `${info.parentType.name}.${info.fieldName}`;
              if (!timedFields.has(field)) return;
              const startedAt = process.hrtime.bigint();
              return () => {
                const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
                metrics.resolverDuration.observe({ field }, seconds);
              };
            },
          };
        },
      };
    },
  };
}

/**
 * Logs one debug record per GraphQL request with its duration and the error codes its response
 * carries. The operation name, the subgraph and the trace ids come from the logger's mixin.
 */
export function requestLogPlugin<Context extends BaseContext>(
  logger: Logger,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      if (!logger.isLevelEnabled('debug')) return;
      const startedAt = process.hrtime.bigint();
      return {
        async willSendResponse(requestContext) {
          const durationMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
          const errorCodes = errorCodesOf(requestContext.response);
          logger.debug(
            {
              operationType: requestContext.operation?.operation,
              durationMs: Math.round(durationMs * 10) / 10,
              ...(errorCodes.length > 0 ? { errorCodes } : {}),
            },
            'served a GraphQL request',
          );
        },
      };
    },
  };
}
