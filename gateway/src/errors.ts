import type { GraphQLFormattedError } from 'graphql';
import { maskUnexpectedErrors, type Logger } from '@heartfelt/kit';

/**
 * Formats errors for clients: unexpected ones are masked by the kit, and the `serviceName`
 * the gateway adds to errors from subgraphs is removed, since clients of one graph have no use
 * for the names of the services behind it.
 */
export function formatGatewayError(logger: Logger) {
  const mask = maskUnexpectedErrors(logger);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const masked = mask(formatted, error);
    if (!masked.extensions || !('serviceName' in masked.extensions)) return masked;
    const { serviceName: _serviceName, ...extensions } = masked.extensions;
    return { ...masked, extensions };
  };
}
