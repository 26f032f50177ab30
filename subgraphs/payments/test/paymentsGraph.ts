import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_TOKEN_HEADER, newTemplateId } from '@heartfelt/kit';
import {
  findRepoRoot,
  gatewayTokenFor,
  graphql,
  startGraph,
  type GraphQLResult,
  type TestGraph,
} from '@heartfelt/testkit';
import { FakeCardsSubgraph } from './fakeCards';

/** A template document as the templates subgraph stores it. */
interface StoredTemplate {
  _id: string;
  title: string;
  occasion: string;
  tags: string[];
  artworkUrl: string;
  priceCents: number;
  popularity: number;
  createdAt: Date;
}

/** The payments and templates processes with their store and cache, and a fake cards subgraph. */
export interface PaymentsTestGraph {
  graph: TestGraph;
  cards: FakeCardsSubgraph;
  paymentsUrl: string;
  /** Sends an operation straight to payments, signed as `userId` (anonymous for null). */
  call<Data = Record<string, unknown>>(
    userId: string | null,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResult<Data>>;
  /** Stores a template with the given price and returns its id. */
  addTemplate(priceCents: number): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the built payments and templates subgraphs against a fresh FerretDB and Redis; `env`
 * adds settings to both. With `worker`, payments-worker runs too.
 */
export async function startPaymentsGraph(
  env: Record<string, string> = {},
  options: { worker?: boolean } = {},
): Promise<PaymentsTestGraph> {
  const root = findRepoRoot();
  const scripts = ['payments/dist/server.js', 'templates/dist/server.js'];
  if (options.worker) scripts.push('payments/dist/worker.js');
  for (const relative of scripts) {
    const name = relative.split('/')[0]!;
    const script = join(root, 'subgraphs', relative);
    if (!existsSync(script)) {
      throw new Error(
        `${script} is missing: build it with npx tsc -p subgraphs/${name}/tsconfig.build.json`,
      );
    }
  }

  const cards = new FakeCardsSubgraph();
  const cardsUrl = await cards.start();
  let graph: TestGraph;
  try {
    graph = await startGraph({
      subgraphs: ['templates', 'payments'],
      gateway: false,
      workers: options.worker ? ['payments'] : [],
      env: { CARDS_URL: cardsUrl, ...env },
    });
  } catch (error) {
    await cards.stop();
    throw error;
  }
  const paymentsUrl = graph.subgraphUrls.payments;

  return {
    graph,
    cards,
    paymentsUrl,
    async call<Data>(
      userId: string | null,
      query: string,
      variables: Record<string, unknown> = {},
    ) {
      const token = await gatewayTokenFor('payments', userId);
      return graphql<Data>(paymentsUrl, query, {
        variables,
        headers: { [GATEWAY_TOKEN_HEADER]: token },
      });
    },
    async addTemplate(priceCents: number) {
      const id = newTemplateId();
      await graph.db.collection<StoredTemplate>('templates').insertOne({
        _id: id,
        title: `Test template ${id}`,
        occasion: 'BIRTHDAY',
        tags: [],
        artworkUrl: 'https://example.test/artwork.png',
        priceCents,
        popularity: 0,
        createdAt: new Date(),
      });
      return id;
    },
    async stop() {
      await graph.stop();
      await cards.stop();
    },
  };
}
