import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Experimental_DidResolveQueryPlanCallback } from '@apollo/gateway';
import type { SubgraphExplain } from '@heartfelt/kit';
import type { GatewayContext } from './context';

/** Request header that requests explain mode, honoured only with the admin token. */
export const EXPLAIN_HEADER = 'x-heartfelt-explain';

/** Request header that carries the gateway's ADMIN_TOKEN for explain mode. */
export const ADMIN_TOKEN_HEADER = 'x-heartfelt-admin-token';

type QueryPlan = Parameters<Experimental_DidResolveQueryPlanCallback>[0]['queryPlan'];
type PlanNode = NonNullable<QueryPlan['node']>;

/** One step of a query plan, as explain mode returns it. */
export type ExplainedPlanNode =
  | { kind: 'Fetch'; serviceName: string; operationKind?: string; operation: string }
  | { kind: 'Sequence' | 'Parallel'; nodes: ExplainedPlanNode[] }
  | { kind: 'Flatten'; path: string[]; node: ExplainedPlanNode }
  | {
      kind: 'Condition';
      condition: string;
      ifClause?: ExplainedPlanNode;
      elseClause?: ExplainedPlanNode;
    }
  | { kind: 'Defer' | 'Subscription' };

/** One fetch from a subgraph during an explained request. */
export interface ExplainedFetch {
  subgraph: string;
  durationMs: number;
  outcome: 'ok' | 'graphql_error' | 'failed';
  /** The subgraph's cache lookups and store commands with their shard routing. */
  cache?: SubgraphExplain['cache'];
  storeCommands?: SubgraphExplain['storeCommands'];
}

/** Copies the parts of a plan node that explain mode shows: the tree and each fetch. */
function explainPlanNode(node: PlanNode): ExplainedPlanNode {
  switch (node.kind) {
    case 'Fetch':
      return {
        kind: 'Fetch',
        serviceName: node.serviceName,
        operationKind: node.operationKind,
        operation: node.operation,
      };
    case 'Sequence':
    case 'Parallel':
      return { kind: node.kind, nodes: node.nodes.map(explainPlanNode) };
    case 'Flatten':
      return { kind: 'Flatten', path: node.path.map(String), node: explainPlanNode(node.node) };
    case 'Condition':
      return {
        kind: 'Condition',
        condition: node.condition,
        ...(node.ifClause ? { ifClause: explainPlanNode(node.ifClause) } : {}),
        ...(node.elseClause ? { elseClause: explainPlanNode(node.elseClause) } : {}),
      };
    default:
      // NOTE: @defer and subscriptions are not served by this gateway, so their plans are
      // shown by kind only.
      return { kind: node.kind };
  }
}

/** Collects what explain mode returns about one gateway request. */
export class GatewayExplain {
  private queryPlan: ExplainedPlanNode | null = null;
  private responseCache: 'hit' | 'miss' | 'not used' = 'not used';
  private readonly fetches: ExplainedFetch[] = [];

  recordQueryPlan(plan: QueryPlan): void {
    this.queryPlan = plan.node ? explainPlanNode(plan.node) : null;
  }

  recordResponseCache(result: 'hit' | 'miss'): void {
    this.responseCache = result;
  }

  recordFetch(fetch: ExplainedFetch): void {
    this.fetches.push(fetch);
  }

  toJSON() {
    return {
      queryPlan: this.queryPlan,
      responseCache: this.responseCache,
      fetches: this.fetches,
    };
  }
}

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/**
 * Returns a GatewayExplain when the request sets the explain header with the gateway's admin
 * token, and null otherwise. Without a configured token, or with a wrong one, the header is
 * ignored: the request is served as any other, with no error.
 */
export function explainFor(
  req: IncomingMessage,
  adminToken: string | undefined,
): GatewayExplain | null {
  if (adminToken === undefined || req.headers[EXPLAIN_HEADER] !== '1') return null;
  const presented = req.headers[ADMIN_TOKEN_HEADER];
  if (typeof presented !== 'string') return null;
  // Both sides are hashed so that the comparison takes the same time whatever the length.
  return timingSafeEqual(sha256(presented), sha256(adminToken)) ? new GatewayExplain() : null;
}

/** Records each resolved query plan in the request's explain, for ApolloGateway's callback. */
export const recordQueryPlan: Experimental_DidResolveQueryPlanCallback = ({
  queryPlan,
  requestContext,
}) => {
  (requestContext.context as Partial<GatewayContext>).explain?.recordQueryPlan(queryPlan);
};

/** Adds `extensions.explain` to the response of a request that asked for explain mode. */
export function explainPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (!contextValue.explain || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, explain: contextValue.explain.toJSON() };
        },
      };
    },
  };
}
