import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { operationCost } from './operationCost';

/**
 * Applies MAX_COST to page sizes passed as variables. graphql-armor's cost limit runs at
 * validation, before variables are known, so `first: $n` counts there as 1. This check runs
 * once the operation is resolved and rejects it the same way, with GRAPHQL_VALIDATION_FAILED
 * and HTTP 400, before any subgraph is called.
 */
export function variableCostLimitPlugin<Context extends BaseContext>(
  maxCost: number,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const cost = operationCost(schema, document, operation, request.variables);
          if (cost <= maxCost) return;
          throw new GraphQLError(`Query Cost limit of ${maxCost} exceeded, found ${cost}.`, {
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
          });
        },
      };
    },
  };
}
