import type { EntityClient, Identity } from '@heartfelt/kit';
import type { CardDocument } from '../repository/documents';

/** The recipient of a card's email: the card's contact, as the users subgraph returns it. */
export interface Recipient {
  name: string;
  email: string;
}

/** The template and sender details that a card's email and page show besides the card. */
export interface CardPresentation {
  templateTitle: string;
  /** The template's artwork image URL, or null when the template is gone. */
  artworkUrl: string | null;
  /** The sender's display name. */
  senderName: string;
}

/**
 * Reads what scheduling and delivery need from the subgraphs that own it, through their
 * `_entities` fields. Every read is signed as the card's owner, so that the owners' access
 * checks apply as they would to the owner's own request.
 */
export class DeliveryLookups {
  constructor(private readonly entities: EntityClient) {}

  /** Returns the contact's IANA time zone, or null when the owner has no such contact. */
  async contactTimeZone(ownerId: string, contactId: string): Promise<string | null> {
    const [contact] = await this.entities.fetch<{ timeZone: string }>(
      'users',
      asOwner(ownerId),
      [{ __typename: 'Contact', id: contactId }],
      '... on Contact { id timeZone }',
    );
    return contact?.timeZone ?? null;
  }

  /** Returns the status of the card's order (PAID, PENDING …), or null while it has none. */
  async orderStatus(ownerId: string, cardId: string): Promise<string | null> {
    const [card] = await this.entities.fetch<{ order: { status: string } | null }>(
      'payments',
      asOwner(ownerId),
      [{ __typename: 'Card', id: cardId }],
      '... on Card { id order { status } }',
    );
    return card?.order?.status ?? null;
  }

  /** Returns the card's recipient, or null when the contact no longer exists. */
  async recipient(card: CardDocument): Promise<Recipient | null> {
    const [contact] = await this.entities.fetch<Recipient>(
      'users',
      asOwner(card.ownerId),
      [{ __typename: 'Contact', id: card.contactId }],
      '... on Contact { name email }',
    );
    return contact ?? null;
  }

  /**
   * Returns the template's title and the sender's display name, with one request to each
   * subgraph. A template or user that no longer exists gives a neutral text instead of failing,
   * because the recipient's page must still show the message.
   */
  async presentation(card: CardDocument): Promise<CardPresentation> {
    const identity = asOwner(card.ownerId);
    const [[template], [sender]] = await Promise.all([
      this.entities.fetch<{ title: string; artworkUrl: string }>(
        'templates',
        identity,
        [{ __typename: 'Template', id: card.templateId }],
        '... on Template { title artworkUrl }',
      ),
      this.entities.fetch<{ displayName: string }>(
        'users',
        identity,
        [{ __typename: 'User', id: card.ownerId }],
        '... on User { displayName }',
      ),
    ]);
    return {
      templateTitle: template?.title ?? 'A card for you',
      artworkUrl: template?.artworkUrl ?? null,
      senderName: sender?.displayName ?? 'Someone',
    };
  }
}

function asOwner(ownerId: string): Identity {
  return { userId: ownerId };
}
