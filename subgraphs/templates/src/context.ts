import type { BaseContext } from '@heartfelt/kit';
import type { Loaders } from './loaders';
import type { TemplateRepository } from './repository/templates';

/** The GraphQL context of one request. */
export interface Context extends BaseContext {
  loaders: Loaders;
  templates: TemplateRepository;
}
