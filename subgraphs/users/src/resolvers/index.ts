import { DateScalar, DateTimeScalar } from '@heartfelt/kit';
import type { Resolvers } from '../generated/resolvers';
import { Contact } from './Contact';
import { Mutation } from './Mutation';
import { PartnerKey } from './PartnerKey';
import { Query } from './Query';
import { User } from './User';

export const resolvers: Resolvers = {
  Query,
  Mutation,
  User,
  Contact,
  PartnerKey,
  DateTime: DateTimeScalar,
  Date: DateScalar,
};
