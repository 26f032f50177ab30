import { GATEWAY_TOKEN_HEADER } from '@heartfelt/kit';
import { gatewayTokenFor, graphql, type GraphQLResult } from '@heartfelt/testkit';

/** Posts a GraphQL operation to an ai process as the gateway would, for `userId` (null: anonymous). */
export async function callAi<Data = Record<string, unknown>>(
  serviceUrl: string,
  userId: string | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResult<Data>> {
  const token = await gatewayTokenFor('ai', userId);
  return graphql<Data>(`${serviceUrl}/graphql`, query, {
    variables,
    headers: { [GATEWAY_TOKEN_HEADER]: token },
  });
}

/** Returns the first error code of a response, or undefined. */
export function firstErrorCode(response: GraphQLResult<unknown>): unknown {
  return response.errors?.[0]?.extensions?.code;
}
