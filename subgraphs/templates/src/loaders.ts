import {
  createEntityLoader,
  type CursorPosition,
  type EntityCache,
  type ServiceMetrics,
} from '@heartfelt/kit';
import DataLoader from 'dataloader';
import type { Occasion } from './generated/resolvers';
import type { TemplateDocument } from './repository/documents';
import type { TemplateRepository } from './repository/templates';

/** The arguments of one catalogue page read: `limit` is the page size plus one. */
export interface TemplatePageRequest {
  occasion: Occasion | null;
  after: CursorPosition | null;
  limit: number;
}

/** A cached catalogue page: the rows `findPage` returned for the request named by `key`. */
interface TemplatePage {
  key: string;
  rows: TemplateDocument[];
}

export interface Loaders {
  templateById: DataLoader<string, TemplateDocument | null>;
  /** Rows of catalogue pages, keyed by {@link templatePageKey}. */
  templatePage: DataLoader<string, TemplateDocument[]>;
}

/** Returns the cache key of a catalogue page request. */
export function templatePageKey(request: TemplatePageRequest): string {
  return JSON.stringify([
    request.occasion,
    request.after?.value ?? null,
    request.after?.id ?? null,
    request.limit,
  ]);
}

function parseTemplatePageKey(key: string): TemplatePageRequest {
  const [occasion, value, id, limit] = JSON.parse(key) as [
    Occasion | null,
    number | null,
    string | null,
    number,
  ];
  return { occasion, after: value !== null && id !== null ? { value, id } : null, limit };
}

/** Builds the DataLoaders of one request. */
export function createLoaders(
  templates: TemplateRepository,
  metrics: ServiceMetrics,
  cache: EntityCache,
): Loaders {
  // Catalogue pages are cached for the entity TTL and never invalidated: templates are public
  // and only the seed writes them, never the API. After a seed, pages can be out of date until
  // their entries expire.
  const pages = createEntityLoader<TemplatePage>({
    entity: 'template-page',
    load: (keys) =>
      Promise.all(
        keys.map(async (key) => ({
          key,
          rows: await templates.findPage(parseTemplatePageKey(key)),
        })),
      ),
    idOf: (page) => page.key,
    metrics,
    cache,
  });
  return {
    templateById: createEntityLoader({
      entity: 'template',
      load: (ids) => templates.findByIds(ids),
      idOf: (template) => template._id,
      metrics,
      cache,
    }),
    templatePage: new DataLoader(async (keys) => {
      const found = await pages.loadMany(keys);
      return found.map((page) => (page instanceof Error ? page : (page?.rows ?? [])));
    }),
  };
}
