import type { Resolvers } from '../generated/resolvers';
import { Query } from './Query';
import { Template } from './Template';

export const resolvers: Resolvers = { Query, Template };
