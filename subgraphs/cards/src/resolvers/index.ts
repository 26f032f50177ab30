import { DateScalar, DateTimeScalar } from '@heartfelt/kit';
import type { Resolvers } from '../generated/resolvers';
import { Card } from './Card';
import { deliveryMutations } from './deliveryMutations';
import { Mutation } from './Mutation';
import { photoMutations } from './photoMutations';
import { Query } from './Query';
import { User } from './User';

export const resolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  Query,
  Mutation: { ...Mutation, ...photoMutations, ...deliveryMutations },
  Card,
  User,
};
