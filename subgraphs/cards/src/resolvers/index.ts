import { DateTimeScalar } from '@heartfelt/kit';
import type { Resolvers } from '../generated/resolvers';
import { Card } from './Card';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { User } from './User';

export const resolvers: Resolvers = { DateTime: DateTimeScalar, Query, Mutation, Card, User };
