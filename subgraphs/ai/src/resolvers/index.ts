import { DateTimeScalar } from '@heartfelt/kit';
import type { Resolvers } from '../generated/resolvers';
import { Card } from './Card';
import { MessageGeneration } from './MessageGeneration';
import { Mutation } from './Mutation';
import { Query } from './Query';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  MessageGeneration,
  Card,
};
