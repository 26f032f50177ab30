import { refreshAccessToken, signUp, logIn } from '../accounts';
import { addContact } from '../addressBook';
import type { MutationResolvers } from '../generated/resolvers';
import { toRateTier } from './PartnerKey';

export const Mutation: MutationResolvers = {
  signUp: (_parent, { input }, context) => signUp(input, context),
  logIn: (_parent, { input }, context) => logIn(input, context),
  refreshAccessToken: (_parent, { input }, context) =>
    refreshAccessToken(input.refreshToken, context),
  logOut: (_parent, { input }, context) => context.refreshTokens.revoke(input.refreshToken),
  addContact: (_parent, { input }, context) => addContact(input, context),
  createPartnerKey: (_parent, { input }, context) =>
    context.partnerKeys.create(context.identity, {
      name: input.name,
      scopes: input.scopes,
      rateTier: input.rateTier ? toRateTier(input.rateTier) : undefined,
      safelistOnly: input.safelistOnly,
    }),
  revokePartnerKey: (_parent, { id }, context) => context.partnerKeys.revoke(context.identity, id),
};
