import { signUp, logIn } from '../accounts';
import { addContact } from '../addressBook';
import type { MutationResolvers } from '../generated/resolvers';

export const Mutation: MutationResolvers = {
  signUp: (_parent, { input }, context) => signUp(input, context),
  logIn: (_parent, { input }, context) => logIn(input, context),
  addContact: (_parent, { input }, context) => addContact(input, context),
};
