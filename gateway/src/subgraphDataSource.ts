import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import {
  ErrorCode,
  GATEWAY_TOKEN_HEADER,
  type GatewayTokenCache,
  type Identity,
  type Logger,
  type SubgraphExplain,
} from '@heartfelt/kit';
import { GraphQLError } from 'graphql';
import { Agent } from 'undici';
import type { GatewayContext } from './context';
import type { ExplainedFetch } from './explain';
import type { GatewayMetrics } from './gatewayMetrics';
import { createSubgraphFetcher } from './subgraphFetcher';

/**
 * Creates the HTTP client shared by all subgraph fetches: a bounded pool of keep-alive
 * connections per subgraph origin, so that fetches reuse connections instead of opening one
 * each.
 */
export function createSubgraphAgent(connectionsPerOrigin: number): Agent {
  return new Agent({
    connections: connectionsPerOrigin,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
}

type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

const UNAVAILABLE_MESSAGE = 'A service this operation depends on is unavailable; retry later.';

function dependencyFailed(): GraphQLError {
  return new GraphQLError(UNAVAILABLE_MESSAGE, {
    extensions: { code: ErrorCode.DependencyFailed },
  });
}

interface SubgraphErrorBody {
  errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }>;
}

/**
 * Fetches from one subgraph, signing each request with the caller's identity for that
 * subgraph only. No client header is forwarded: subgraphs trust nothing but the signature.
 *
 * Failures are reported to clients without subgraph names, URLs or bodies: a subgraph's 400
 * for bad input (a variable its scalar rejected) keeps its BAD_USER_INPUT code and message,
 * and anything else (a refused connection, a 5xx, a 401 from a misconfigured secret) becomes
 * DEPENDENCY_FAILED. The details are logged here, once.
 */
export class SignedSubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly subgraphName: string,
    url: string,
    private readonly tokens: GatewayTokenCache,
    agent: Agent,
    private readonly logger: Logger,
    private readonly metrics?: GatewayMetrics,
  ) {
    const fetchSubgraph = createSubgraphFetcher(agent);
    super({
      url,
      fetcher: (async (input: string, init: Parameters<typeof fetchSubgraph>[1]) => {
        try {
          return await fetchSubgraph(input, init);
        } catch (error) {
          const failure = error as { code?: string; message?: string };
          logger.error(
            { subgraph: subgraphName, err: failure.code ?? failure.message ?? String(error) },
            'subgraph fetch failed',
          );
          throw dependencyFailed();
        }
      }) as never,
    });
  }

  override async willSendRequest(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<void> {
    const identity: Identity =
      'identity' in options.context && options.context.identity
        ? options.context.identity
        : { userId: null };
    const explain = 'explain' in options.context && Boolean(options.context.explain);
    const token = await this.tokens.tokenFor(identity, this.subgraphName, { explain });
    options.request.http?.headers.set(GATEWAY_TOKEN_HEADER, token);
  }

  /**
   * Times each fetch in `heartfelt_subgraph_fetch_duration_seconds`, and for an explained
   * request records it with the facts the subgraph returned in `extensions.explain`. Those are
   * removed from the response either way, so they never reach a client by another path.
   */
  override async process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<GatewayGraphQLResponse> {
    const startedAt = performance.now();
    let outcome: ExplainedFetch['outcome'] = 'failed';
    let subgraphExplain: SubgraphExplain | undefined;
    try {
      const response = await super.process(options);
      outcome = response.errors?.length ? 'graphql_error' : 'ok';
      if (response.extensions && 'explain' in response.extensions) {
        const { explain, ...extensions } = response.extensions;
        subgraphExplain = explain as SubgraphExplain;
        response.extensions = extensions;
      }
      return response;
    } finally {
      const durationMs = performance.now() - startedAt;
      this.metrics?.subgraphFetchDuration.observe(
        { subgraph: this.subgraphName, outcome },
        durationMs / 1000,
      );
      const explain = 'explain' in options.context ? options.context.explain : undefined;
      explain?.recordFetch({
        subgraph: this.subgraphName,
        durationMs: Math.round(durationMs * 100) / 100,
        outcome,
        ...subgraphExplain,
      });
    }
  }

  override async errorFromResponse(
    response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0],
  ): Promise<GraphQLError> {
    const body = (await this.parseBody(response).catch(() => null)) as SubgraphErrorBody | null;
    const first = typeof body === 'object' && body !== null ? body.errors?.[0] : undefined;
    if (
      response.status === 400 &&
      first?.extensions?.code === ErrorCode.BadUserInput &&
      typeof first.message === 'string'
    ) {
      return new GraphQLError(first.message, { extensions: { code: ErrorCode.BadUserInput } });
    }
    this.logger.error(
      { subgraph: this.subgraphName, status: response.status, code: first?.extensions?.code },
      'subgraph answered with an HTTP error',
    );
    return dependencyFailed();
  }
}
