import type { BaseContext, EntityCache } from '@heartfelt/kit';
import type { GenerationJobProducer } from './jobs/generationJobs';
import type { Loaders } from './loaders';
import type { GenerationRepository } from './repository/generations';

/** The GraphQL context of one request. */
export interface Context extends BaseContext {
  loaders: Loaders;
  generations: GenerationRepository;
  generationJobs: GenerationJobProducer;
  /** Name of the configured message provider, stored with each new generation. */
  providerName: string;
  /** Entity cache behind the loaders. Write paths invalidate the entries they change. */
  cache: EntityCache;
}
