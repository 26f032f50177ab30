import { ErrorCode, badUserInput, expectedError, newOwnedId, notFound } from '@heartfelt/kit';
import type { GraphQLError } from 'graphql';
import { requireUserId, type Context } from '../context';
import { statusesAllowing } from '../delivery/status';
import { invalidStatusTransition } from '../errors';
import type { CardStatus, MutationResolvers } from '../generated/resolvers';
import { requireId, requireMessage } from '../input';
import type { DraftChanges } from '../repository/cards';
import type { CardDocument } from '../repository/documents';

/** Statuses in which a card's template, recipient and message may change. */
const EDITABLE_STATUSES = statusesAllowing('edit');

export const Mutation: MutationResolvers = {
  async createCard(_parent, { input }, context) {
    const userId = requireUserId(context);
    const templateId = requireId('template', input.templateId, 'templateId');
    const contactId = requireId('contact', input.contactId, 'contactId');
    const message = requireMessage(input.message);

    // Both references are checked before the insert, so a rejected card leaves nothing behind.
    await Promise.all([
      context.references.requireTemplate(context.identity, templateId),
      context.references.requireOwnContact(context.identity, contactId),
    ]);

    const now = new Date();
    const card: CardDocument = {
      _id: newOwnedId('card', userId),
      ownerId: userId,
      templateId,
      contactId,
      message,
      status: 'DRAFT',
      sendAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await context.cards.insert(card);
    return card;
  },

  async updateCard(_parent, { input }, context) {
    const userId = requireUserId(context);
    const id = requireId('card', input.id, 'id');
    // A null field is treated like an absent one: it leaves the stored value as it is.
    const changes: DraftChanges = {};
    if (input.templateId != null) {
      changes.templateId = requireId('template', input.templateId, 'templateId');
    }
    if (input.contactId != null) {
      changes.contactId = requireId('contact', input.contactId, 'contactId');
    }
    if (input.message != null) changes.message = requireMessage(input.message);
    if (Object.keys(changes).length === 0) {
      throw badUserInput(
        'Nothing to update: pass at least one of templateId, contactId and message.',
      );
    }

    const card = await findOwnCard(context, id, userId);
    if (!EDITABLE_STATUSES.includes(card.status)) {
      throw invalidStatusTransition(id, card.status, 'edited', EDITABLE_STATUSES);
    }
    const referenceChecks: Array<Promise<void>> = [];
    if (changes.templateId) {
      referenceChecks.push(
        context.references.requireTemplate(context.identity, changes.templateId),
      );
    }
    if (changes.contactId) {
      referenceChecks.push(
        context.references.requireOwnContact(context.identity, changes.contactId),
      );
    }
    await Promise.all(referenceChecks);

    // The template sets the price, so it is fixed once the card has an order.
    if (changes.templateId && changes.templateId !== card.templateId) {
      const orderStatus = await context.scheduler.orderStatus(userId, id);
      if (orderStatus !== null) {
        throw expectedError(
          ErrorCode.AlreadyPaid,
          `Card ${JSON.stringify(id)} has an order (${orderStatus}), so its template, which sets ` +
            'the price, can no longer change.',
          { field: 'templateId' },
        );
      }
    }

    const updated = await context.cards.updateDraft(id, userId, changes, new Date());
    if (!updated) throw await lostRace(context, id, userId, 'edited', EDITABLE_STATUSES);
    await afterCardWrite(context, updated);
    return updated;
  },
};

/**
 * Reads the caller's card straight from the store, so that the status checks see the latest
 * write. Someone else's card raises the same NOT_FOUND as a missing one.
 */
async function findOwnCard(context: Context, id: string, userId: string): Promise<CardDocument> {
  const card = await context.cards.findOwned(id, userId);
  if (!card) throw notFound('Card', id);
  return card;
}

/**
 * Builds the error for a conditional update that matched nothing: another request changed the
 * card's status, or deleted the card, between the read and the update.
 */
async function lostRace(
  context: Context,
  id: string,
  userId: string,
  action: string,
  allowed: readonly CardStatus[],
): Promise<GraphQLError> {
  const current = await context.cards.findOwned(id, userId);
  if (!current) return notFound('Card', id);
  return invalidStatusTransition(id, current.status, action, allowed);
}

/** Drops the card's stale cache entry and gives this request's loader the stored version. */
export async function afterCardWrite(context: Context, card: CardDocument): Promise<void> {
  await context.cache.invalidate('card', [card._id]);
  context.loaders.cardById.clear(card._id).prime(card._id, card);
}
