import type { BaseContext } from '@heartfelt/kit';
import type { Loaders } from './loaders';

/** The GraphQL context of one request. */
export interface Context extends BaseContext {
  loaders: Loaders;
}
