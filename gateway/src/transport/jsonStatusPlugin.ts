import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

/** Codes of request errors: the document or the variables were rejected before execution. */
const requestErrorCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
]);

/** Returns true when the client asked for application/json and not for the newer media type. */
function acceptsOnlyLegacyJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  return types.includes('application/json') && !types.includes('application/graphql-response+json');
}

/**
 * Returns parse, validation and variable errors with 200 to clients that explicitly accept only
 * application/json, as the GraphQL over HTTP specification recommends for that media type: such
 * clients read errors from the body and may treat any 4xx as a transport failure. Clients that
 * accept application/graphql-response+json, or send no Accept header or a wildcard, keep Apollo
 * Server's 400.
 */
export function legacyJsonStatusPlugin<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response }) {
          if (response.http.status !== 400 || response.body.kind !== 'single') return;
          if (!acceptsOnlyLegacyJson(request.http?.headers.get('accept'))) return;
          const { data, errors } = response.body.singleResult;
          if (data !== undefined || !errors?.length) return;
          const allRequestErrors = errors.every((error) =>
            requestErrorCodes.has(String(error.extensions?.code)),
          );
          if (allRequestErrors) response.http.status = 200;
        },
      };
    },
  };
}
