import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, isTraceId, maskUnexpectedErrors, type Logger } from '@heartfelt/kit';

/**
 * Formats errors for clients: unexpected ones are masked by the kit, and the `serviceName`
 * the gateway adds to errors from subgraphs is removed, since clients of one graph have no use
 * for the names of the services behind it. An error a subgraph returned was already logged by
 * that subgraph, so it is masked here without being logged a second time, and keeps the trace
 * id the subgraph logged it with.
 */
export function formatGatewayError(logger: Logger) {
  const maskAndLog = maskUnexpectedErrors(logger);
  const maskOnly = maskUnexpectedErrors(logger.child({}, { level: 'silent' }));
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const fromSubgraph = formatted.extensions?.serviceName !== undefined;
    let masked = (fromSubgraph ? maskOnly : maskAndLog)(formatted, error);
    const subgraphTraceId = formatted.extensions?.traceId;
    if (
      fromSubgraph &&
      masked.extensions?.code === ErrorCode.InternalServerError &&
      isTraceId(subgraphTraceId)
    ) {
      masked = { ...masked, extensions: { ...masked.extensions, traceId: subgraphTraceId } };
    }
    if (!masked.extensions || !('serviceName' in masked.extensions)) return masked;
    const { serviceName: _serviceName, ...extensions } = masked.extensions;
    return { ...masked, extensions };
  };
}
