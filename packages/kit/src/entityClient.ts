import { GraphQLError } from 'graphql';
import { ErrorCode } from './errors';
import { GATEWAY_TOKEN_HEADER, signGatewayToken, type Identity } from './tokens';

/** A representation sent to another subgraph's `_entities` field. */
export type Representation = { __typename: string } & Record<string, unknown>;

/**
 * Reads entities owned by another subgraph through its `_entities` field, as the gateway would,
 * signed with the caller's identity so that the owner's access checks still apply. A subgraph
 * uses this instead of reading another subgraph's collections.
 */
export class EntityClient {
  constructor(
    private readonly subgraphUrls: Record<string, string>,
    private readonly signingSecret: string,
    private readonly timeoutMs = 5000,
  ) {}

  async fetch<T>(
    subgraph: string,
    identity: Identity,
    representations: Representation[],
    selection: string,
  ): Promise<Array<T | null>> {
    const url = this.subgraphUrls[subgraph];
    if (!url) throw new TypeError(`EntityClient: no URL configured for subgraph "${subgraph}"`);
    const token = await signGatewayToken(identity, subgraph, this.signingSecret);
    const query = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ${selection} } }`;

    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [GATEWAY_TOKEN_HEADER]: token },
        body: JSON.stringify({ query, variables: { representations } }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw dependencyFailed(subgraph, error instanceof Error ? error.message : String(error));
    }
    const body = (await response.json().catch(() => null)) as {
      data?: { _entities?: Array<T | null> };
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    } | null;
    if (!body?.data?._entities) {
      const first = body?.errors?.[0];
      // An expected error from the owner (for example NOT_FOUND or FORBIDDEN) keeps its code.
      if (first?.extensions?.code && first.extensions.code !== ErrorCode.InternalServerError) {
        throw new GraphQLError(first.message, { extensions: { code: first.extensions.code } });
      }
      throw dependencyFailed(subgraph, `HTTP ${response.status}`);
    }
    return body.data._entities;
  }
}

/** The cause is kept on the error for the server's log, never in what the client receives. */
function dependencyFailed(subgraph: string, reason: string): GraphQLError {
  return new GraphQLError('A service this operation depends on failed; retry later.', {
    extensions: { code: ErrorCode.DependencyFailed },
    originalError: new Error(`subgraph ${subgraph}: ${reason}`),
  });
}
