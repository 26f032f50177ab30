import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { graphql, startGraph, type TestGraph } from '@heartfelt/testkit';
import { isEmpty, seed } from '../src/seed';
import {
  DEMO_EMAIL,
  DEMO_PASSWORD,
  OCCASIONS,
  defaultSeedSizes,
  generateSeed,
} from '../src/seedData';
import { repoRoot } from '../src/subgraphs';

describe('demo data', () => {
  it('is the same on every run', () => {
    const first = generateSeed('hash', {
      users: 20,
      templatesPerOccasion: 2,
      cards: 100,
      demoCards: 10,
    });
    const second = generateSeed('hash', {
      users: 20,
      templatesPerOccasion: 2,
      cards: 100,
      demoCards: 10,
    });
    expect(second.cards.map((card) => card._id)).toEqual(first.cards.map((card) => card._id));
    expect(second.users.map((user) => user.email)).toEqual(first.users.map((user) => user.email));
  });

  it('has the documented size and variety', () => {
    const data = generateSeed('hash', defaultSeedSizes);
    expect(data.users).toHaveLength(1000);
    expect(data.templates).toHaveLength(200);
    expect(data.cards).toHaveLength(20_000);
    expect(new Set(data.templates.map((template) => template.occasion))).toEqual(
      new Set(OCCASIONS),
    );
    expect(new Set(data.cards.map((card) => card.status))).toEqual(
      new Set(['DRAFT', 'SCHEDULED', 'SENT', 'OPENED']),
    );
    const paidShare = data.orders.length / data.cards.length;
    expect(paidShare).toBeGreaterThan(0.28);
    expect(paidShare).toBeLessThan(0.4);
    expect(data.contacts.length).toBeGreaterThanOrEqual(3000);
  });

  describe('seeded into a running graph', () => {
    let graph: TestGraph;

    beforeAll(async () => {
      graph = await startGraph();
      expect(await isEmpty(graph.db)).toBe(true);
      await seed(graph.db, { users: 30, templatesPerOccasion: 3, cards: 400, demoCards: 25 });
    });

    afterAll(async () => {
      await graph?.stop();
    });

    it('refunds a seeded order', async () => {
      const logIn = await graphql<{ logIn: { token: string } }>(
        graph.gatewayUrl,
        'mutation ($input: LogInInput!) { logIn(input: $input) { token } }',
        { variables: { input: { email: DEMO_EMAIL, password: DEMO_PASSWORD } } },
      );
      const token = logIn.data!.logIn.token;
      const orders = await graphql<{
        me: { orders: { edges: Array<{ node: { id: string; status: string } }> } };
      }>(graph.gatewayUrl, '{ me { orders(first: 1) { edges { node { id status } } } } }', {
        token,
      });
      const order = orders.data!.me.orders.edges[0]!.node;
      expect(order.status).toBe('PAID');

      const refund = await graphql<{ refundOrder: { order: { id: string; status: string } } }>(
        graph.gatewayUrl,
        'mutation ($id: ID!) { refundOrder(id: $id, idempotencyKey: "demo-refund-1") { order { id status } } }',
        { token, variables: { id: order.id } },
      );
      expect(refund.errors).toBeUndefined();
      expect(refund.data?.refundOrder.order).toEqual({ id: order.id, status: 'REFUNDED' });
    });

    it('serves the Dashboard of the demo login from all five subgraphs', async () => {
      const logIn = await graphql<{ logIn: { token: string } }>(
        graph.gatewayUrl,
        'mutation ($input: LogInInput!) { logIn(input: $input) { token } }',
        { variables: { input: { email: DEMO_EMAIL, password: DEMO_PASSWORD } } },
      );
      expect(logIn.errors).toBeUndefined();

      const query = readFileSync(
        join(repoRoot, 'schema', 'operations', 'Dashboard.graphql'),
        'utf8',
      );
      const result = await graphql<{
        me: {
          displayName: string;
          cards: {
            edges: Array<{
              node: {
                status: string;
                template: unknown;
                sentiment: unknown;
                musicSuggestions: unknown[];
                order: unknown;
              };
            }>;
            pageInfo: { hasNextPage: boolean };
          };
        };
        templates: { edges: unknown[] };
      }>(graph.gatewayUrl, query, { token: logIn.data!.logIn.token });

      expect(result.errors).toBeUndefined();
      const { me, templates } = result.data!;
      expect(me.displayName).toBe('Demo User');
      expect(me.cards.edges).toHaveLength(20);
      expect(me.cards.pageInfo.hasNextPage).toBe(true);
      expect(templates.edges).toHaveLength(3);
      for (const { node } of me.cards.edges) {
        expect(node.template).not.toBeNull();
        expect(node.sentiment).not.toBeNull();
        expect(node.musicSuggestions.length).toBeGreaterThan(0);
        // Every card past DRAFT was paid for; drafts have no order yet.
        expect(node.order === null).toBe(node.status === 'DRAFT');
      }
    });
  });
});
