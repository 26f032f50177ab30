import { createEntityLoader, type EntityCache, type ServiceMetrics } from '@heartfelt/kit';
import type DataLoader from 'dataloader';
import type { TemplateDocument } from './repository/documents';
import type { TemplateRepository } from './repository/templates';

export interface Loaders {
  templateById: DataLoader<string, TemplateDocument | null>;
}

/** Builds the DataLoaders of one request. */
export function createLoaders(
  templates: TemplateRepository,
  metrics: ServiceMetrics,
  cache: EntityCache,
): Loaders {
  return {
    templateById: createEntityLoader({
      entity: 'template',
      load: (ids) => templates.findByIds(ids),
      idOf: (template) => template._id,
      metrics,
      cache,
    }),
  };
}
