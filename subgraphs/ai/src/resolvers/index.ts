import { DateScalar, DateTimeScalar } from '@heartfelt/kit';
import type { Resolvers } from '../generated/resolvers';
import { Card } from './Card';
import { MessageGeneration } from './MessageGeneration';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { Reminder } from './Reminder';
import { User } from './User';

export const resolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  MessageGeneration,
  Card,
  User,
  Reminder,
};
