import { badUserInput, notFound, type EntityClient, type Identity } from '@heartfelt/kit';

/** The fields of a card that checkout reads from the cards subgraph. */
interface CardEntity {
  id: string;
  status: string;
  template: { id: string };
}

/** The fields of a template that checkout reads from the templates subgraph. */
interface TemplateEntity {
  id: string;
  priceCents: number;
}

/**
 * Looks up what a card costs: the card from the cards subgraph, then its template's price from
 * the templates subgraph, both through `_entities` signed as the user, so the cards subgraph's
 * owner check applies. The price never comes from the client.
 *
 * @throws NOT_FOUND when cards returns no card for the user.
 */
export async function fetchCardPriceCents(
  entities: EntityClient,
  identity: Identity,
  cardId: string,
): Promise<number> {
  const [card] = await entities.fetch<CardEntity>(
    'cards',
    identity,
    [{ __typename: 'Card', id: cardId }],
    '... on Card { id status template { id } }',
  );
  if (!card) throw notFound('Card', cardId);

  const templateId = card.template.id;
  const [template] = await entities.fetch<TemplateEntity>(
    'templates',
    identity,
    [{ __typename: 'Template', id: templateId }],
    '... on Template { id priceCents }',
  );
  if (!template) {
    throw new Error(`template ${templateId} of card ${cardId} was not found in templates`);
  }

  const price = template.priceCents;
  if (!Number.isInteger(price) || price < 0) {
    throw new Error(`template ${templateId} has an invalid priceCents ${price}`);
  }
  if (price === 0) {
    throw badUserInput(
      `Card ${JSON.stringify(cardId)} is free because its template costs nothing, so it needs no checkout.`,
      'cardId',
    );
  }
  return price;
}
