import {
  createEntityLoader,
  createListLoader,
  type CursorPosition,
  type EntityCache,
  type ServiceMetrics,
} from '@heartfelt/kit';
import DataLoader from 'dataloader';
import type { CardPageCache } from './cardPageCache';
import type { CardStatus } from './generated/resolvers';
import type { CardRepository } from './repository/cards';
import type { CardDocument } from './repository/documents';
import type { PhotoDocument, PhotoRepository } from './repository/photos';

/** One page of an owner's cards, as `User.cards` requests it. */
export interface CardPageRequest {
  ownerId: string;
  status: CardStatus | null;
  first: number;
  after: CursorPosition | null;
}

export interface Loaders {
  cardById: DataLoader<string, CardDocument | null>;
  /** Up to `first + 1` rows per request. The extra row only shows that a next page exists. */
  cardPage: DataLoader<CardPageRequest, CardDocument[], string>;
  /** A card's photos, oldest first, by card id. */
  photosByCard: DataLoader<string, PhotoDocument[]>;
}

/** Builds the DataLoaders of one request. */
export function createLoaders(
  cards: CardRepository,
  metrics: ServiceMetrics,
  cache: EntityCache,
  photos: PhotoRepository,
  pages?: CardPageCache,
): Loaders {
  return {
    cardById: createEntityLoader({
      entity: 'card',
      load: (ids) => cards.findByIds(ids),
      idOf: (card) => card._id,
      metrics,
      cache,
    }),
    cardPage: new DataLoader<CardPageRequest, CardDocument[], string>(
      (requests) =>
        pages
          ? loadCachedCardPages(cards, metrics, pages, requests)
          : loadCardPages(cards, metrics, requests),
      { cacheKeyFn: cardPageKey },
    ),
    photosByCard: createListLoader({
      name: 'photosByCard',
      load: (cardIds) => photos.findByCardIds(cardIds),
      parentOf: (photo) => photo.cardId,
      metrics,
    }),
  };
}

/** Cache key of a page request: requests with equal keys share one result. */
function cardPageKey(request: CardPageRequest): string {
  const { ownerId, status, first, after } = request;
  return JSON.stringify([ownerId, status, first, after?.value ?? null, after?.id ?? null]);
}

/**
 * Loads the pages of one batch through the page cache: one MGET per owner (in practice one per
 * batch, since a user reads only their own cards), the store only for the misses.
 */
async function loadCachedCardPages(
  cards: CardRepository,
  metrics: ServiceMetrics,
  pages: CardPageCache,
  requests: readonly CardPageRequest[],
): Promise<CardDocument[][]> {
  const byOwner = new Map<string, CardPageRequest[]>();
  for (const request of requests) {
    const list = byOwner.get(request.ownerId);
    if (list) list.push(request);
    else byOwner.set(request.ownerId, [request]);
  }

  const rowsByKey = new Map<string, CardDocument[]>();
  await Promise.all(
    [...byOwner].map(async ([ownerId, ownerRequests]) => {
      const keys = [...new Set(ownerRequests.map(cardPageKey))];
      const { version, found } = await pages.read(ownerId, keys);
      for (const [key, rows] of found) rowsByKey.set(key, rows);

      const misses = ownerRequests.filter((request) => !found.has(cardPageKey(request)));
      if (misses.length === 0) return;
      const loaded = await loadCardPages(cards, metrics, misses);
      const entries: Array<[string, CardDocument[]]> = [];
      misses.forEach((request, index) => {
        const key = cardPageKey(request);
        rowsByKey.set(key, loaded[index]!);
        entries.push([key, loaded[index]!]);
      });
      await pages.write(ownerId, version, entries);
    }),
  );
  return requests.map((request) => rowsByKey.get(cardPageKey(request)) ?? []);
}

/**
 * Loads the pages of one batch. Requests that differ only in `first` read the same rows, so
 * they are grouped and each group sends one query, for its largest `first` plus one, with the
 * owner (the shard key) in the filter. Each request then gets its own prefix of the rows.
 */
async function loadCardPages(
  cards: CardRepository,
  metrics: ServiceMetrics,
  requests: readonly CardPageRequest[],
): Promise<CardDocument[][]> {
  metrics.loaderBatchSize.observe({ loader: 'cardPage' }, requests.length);

  const groups = new Map<string, { request: CardPageRequest; maxFirst: number }>();
  for (const request of requests) {
    const key = cardPageKey({ ...request, first: 0 });
    const group = groups.get(key);
    if (group) group.maxFirst = Math.max(group.maxFirst, request.first);
    else groups.set(key, { request, maxFirst: request.first });
  }

  const rowsByGroup = new Map<string, CardDocument[]>();
  await Promise.all(
    [...groups].map(async ([key, { request, maxFirst }]) => {
      const rows = await cards.findPage({
        ownerId: request.ownerId,
        status: request.status,
        after: request.after,
        limit: maxFirst + 1,
      });
      rowsByGroup.set(key, rows);
    }),
  );

  return requests.map((request) => {
    const rows = rowsByGroup.get(cardPageKey({ ...request, first: 0 })) ?? [];
    return rows.slice(0, request.first + 1);
  });
}
