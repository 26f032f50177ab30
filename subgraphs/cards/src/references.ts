import { notFound, ownerOf, type EntityClient, type Identity } from '@heartfelt/kit';

/**
 * Checks that the template and contact a card refers to exist, by asking the subgraphs that own
 * them through their `_entities` fields, signed as the caller so that their access checks apply.
 */
export class ReferenceChecker {
  constructor(private readonly entities: EntityClient) {}

  /** Raises NOT_FOUND unless the templates subgraph resolves `templateId`. */
  async requireTemplate(identity: Identity, templateId: string): Promise<void> {
    const [template] = await this.entities.fetch<{ id: string }>(
      'templates',
      identity,
      [{ __typename: 'Template', id: templateId }],
      '... on Template { id }',
    );
    if (!template) throw notFound('Template', templateId);
  }

  /**
   * Raises NOT_FOUND unless `contactId` is one of the caller's contacts. Someone else's contact
   * gets the same error as a missing one, so the error does not reveal that it exists.
   */
  async requireOwnContact(identity: Identity, contactId: string): Promise<void> {
    // The owner is part of the id, so another user's contact is rejected without a fetch.
    if (identity.userId === null || ownerOf(contactId) !== identity.userId) {
      throw notFound('Contact', contactId);
    }
    // The users subgraph resolves a contact only for its owner and returns null otherwise.
    const [contact] = await this.entities.fetch<{ id: string }>(
      'users',
      identity,
      [{ __typename: 'Contact', id: contactId }],
      '... on Contact { id }',
    );
    if (!contact) throw notFound('Contact', contactId);
  }
}
