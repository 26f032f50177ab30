import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, isExpectedCode } from './errors';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';
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

/** Records each operation's duration and outcome in `heartfelt_graphql_operation_duration_seconds`. */
export function operationMetricsPlugin<Context extends BaseContext>(
  metrics: ServiceMetrics,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const startedAt = process.hrtime.bigint();
      return {
        async willSendResponse(requestContext) {
          const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
          const operation = requestContext.operationName ?? 'anonymous';
          const outcome = requestContext.errors?.length ? 'error' : 'ok';
          metrics.operationDuration.observe(
            { operation: operation.slice(0, 64), outcome },
            seconds,
          );
        },
      };
    },
  };
}
