import type { Context } from '../context';
import type { MessageAnalysis } from '../analysis/messageAnalysis';
import { missingCardMessage } from '../errors';
import type { CardResolvers } from '../generated/resolvers';
import type { CardRepresentation } from '../repository/documents';

/**
 * Card fields computed from the card's message, which the gateway sends in the representation
 * because of `@requires(fields: "message")`. Nothing is read from the store: the cards
 * subgraph already checked that the caller may see the card.
 */
export const Card: CardResolvers = {
  __resolveReference: (representation) => representation,

  async sentiment(card, _args, context) {
    return (await analysisOf(card, context)).sentiment;
  },

  async musicSuggestions(card, _args, context) {
    return (await analysisOf(card, context)).musicSuggestions;
  },
};

function analysisOf(card: CardRepresentation, { loaders }: Context): Promise<MessageAnalysis> {
  if (typeof card.message !== 'string') throw missingCardMessage(card.id);
  return loaders.messageAnalysis.load(card.message);
}
