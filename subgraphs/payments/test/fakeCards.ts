import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GATEWAY_TOKEN_HEADER,
  newOwnedId,
  ownerOf,
  verifyGatewayToken,
  type Identity,
} from '@heartfelt/kit';
import { testSecrets } from '@heartfelt/testkit';

/** A card as the fake returns it from `_entities`. */
interface FakeCard {
  id: string;
  status: string;
  template: { id: string };
}

/**
 * A stand-in for the cards subgraph's `_entities` field on 127.0.0.1, with cards kept in
 * memory. Like the real subgraph it requires a gateway token addressed to `cards` and returns
 * null for a card that is missing or belongs to someone else.
 *
 * TODO: start the real cards process (subgraphs/cards/dist/server.js) instead, creating cards
 * through its createCard mutation, once that subgraph is built.
 */
export class FakeCardsSubgraph {
  private readonly cards = new Map<string, FakeCard>();
  private server: http.Server | null = null;
  /** Number of `_entities` requests served, to check how often checkout requests a card. */
  requestCount = 0;

  /** Adds a DRAFT card of `ownerId` made from `templateId` and returns its id. */
  addCard(ownerId: string, templateId: string): string {
    const id = newOwnedId('card', ownerId);
    this.cards.set(id, { id, status: 'DRAFT', template: { id: templateId } });
    return id;
  }

  /** Starts listening on a free port of 127.0.0.1 and returns the GraphQL URL. */
  async start(): Promise<string> {
    const server = http.createServer((req, res) => {
      this.handle(req)
        .then(({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        })
        .catch((error: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ message: String(error) }] }));
        });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage): Promise<{ status: number; body: unknown }> {
    const token = req.headers[GATEWAY_TOKEN_HEADER];
    let identity: Identity;
    try {
      if (typeof token !== 'string') throw new Error('missing token');
      identity = await verifyGatewayToken(token, 'cards', testSecrets.SUBGRAPH_SIGNING_SECRET);
    } catch {
      return { status: 401, body: { errors: [{ message: 'Invalid gateway signature.' }] } };
    }

    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const request = JSON.parse(raw) as {
      query: string;
      variables: { representations: Array<{ __typename: string; id: string }> };
    };
    this.requestCount += 1;

    const entities = request.variables.representations.map((representation) => {
      const card = this.cards.get(representation.id);
      if (representation.__typename !== 'Card' || !card) return null;
      return ownerOf(card.id) === identity.userId ? card : null;
    });
    return { status: 200, body: { data: { _entities: entities } } };
  }
}
