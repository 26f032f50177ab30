import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EntityCache, Logger, SubgraphRouteHandler } from '@heartfelt/kit';
import { GraphQLError } from 'graphql';
import { ownerOfPublicToken } from '../delivery/ids';
import type { CardPresentation, DeliveryLookups } from '../delivery/lookups';
import type { CardRepository } from '../repository/cards';
import type { CardDocument } from '../repository/documents';
import { renderCardPage, renderNotFoundPage, renderUnavailablePage } from './render';

/** Path prefix of recipients' card pages; the gateway forwards it to this subgraph. */
export const CARD_PAGE_PREFIX = '/c/';

/** Dependencies of the card page route. */
export interface CardPageDependencies {
  cards: CardRepository;
  lookups: DeliveryLookups;
  cache: EntityCache;
  logger: Logger;
}

/** Headers of every card page: never cached, so that each view reaches the server. */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src https: http:",
};

/**
 * Creates the handler of `GET /c/<token>`: the recipient's page of a delivered card, which
 * needs no sign-in because the token is the credential. The first GET of a SENT card marks it
 * OPENED. HEAD returns the same status without marking it.
 *
 * The token embeds the owner's user id, so the card is read with its shard key.
 */
export function cardPageRoute(deps: CardPageDependencies): SubgraphRouteHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Only GET and HEAD are allowed on card pages.\n');
      return;
    }
    const card = await findDeliveredCard(deps, req.url ?? '');
    if (!card) return sendPage(res, req, 404, renderNotFoundPage());

    let presentation: CardPresentation;
    try {
      presentation = await deps.lookups.presentation(card);
    } catch (error) {
      // A failed subgraph call keeps its cause on `originalError`, out of the message.
      const cause = error instanceof GraphQLError ? error.originalError?.message : undefined;
      deps.logger.error(
        { cardId: card._id, err: error instanceof Error ? error.message : String(error), cause },
        'card page could not load the template or sender',
      );
      return sendPage(res, req, 503, renderUnavailablePage());
    }

    if (req.method === 'GET' && card.status === 'SENT') {
      // Conditional on SENT, so a repeated or concurrent view leaves the first openedAt.
      // NOTE: a mail scanner or link preview that fetches the link with GET counts as opening.
      if (await deps.cards.markOpened(card._id, card.ownerId, new Date())) {
        await deps.cache.invalidate('card', [card._id]);
      }
    }
    sendPage(res, req, 200, renderCardPage({ message: card.message, presentation }));
  };
}

/**
 * Returns the card named by the page path, if its email may have been sent: SENT, OPENED, or
 * SCHEDULED with a delivery under way. Tokens of other cards were never given out.
 */
async function findDeliveredCard(
  deps: CardPageDependencies,
  url: string,
): Promise<CardDocument | null> {
  const path = new URL(url, 'http://localhost').pathname;
  const token = path.slice(CARD_PAGE_PREFIX.length);
  const ownerId = ownerOfPublicToken(token);
  if (ownerId === null) return null;
  const card = await deps.cards.findByPublicToken(token, ownerId);
  if (!card) return null;
  if (card.status === 'SENT' || card.status === 'OPENED') return card;
  return card.status === 'SCHEDULED' && card.deliveryStartedAt ? card : null;
}

function sendPage(res: ServerResponse, req: IncomingMessage, status: number, html: string): void {
  const body = Buffer.from(html, 'utf8');
  res.writeHead(status, { ...PAGE_HEADERS, 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}
