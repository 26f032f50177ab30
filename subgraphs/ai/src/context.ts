import type { BaseContext } from '@heartfelt/kit';
import type { GenerationDependencies } from './generation/runGeneration';
import type { Loaders } from './loaders';

/**
 * The GraphQL context of one request: the generation dependencies are in it, so that resolvers
 * can pass it to `runGeneration` as it is.
 */
export interface Context extends BaseContext, GenerationDependencies {
  loaders: Loaders;
}
