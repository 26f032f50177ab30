import { badUserInput, notFound, type Logger } from '@heartfelt/kit';
import type { GraphQLError } from 'graphql';
import { invalidStatusTransition } from '../errors';
import { requireSendAt } from '../input';
import { enqueueDelivery, type DeliveryJobData, type DeliveryQueue } from '../jobs/delivery';
import type { CardRepository } from '../repository/cards';
import type { CardDocument } from '../repository/documents';
import {
  concurrentScheduleChange,
  deliveryQueueUnavailable,
  deliveryStarted,
  paymentRequired,
} from './errors';
import { deliveryJobId, newDeliveryId, newPublicToken } from './ids';
import type { DeliveryLookups } from './lookups';
import { canTransition, statusesAllowing, type CardAction } from './status';
import { instantOfLocalTime, type TimeOfDay } from './zonedTime';

/** The local time at which a card scheduled with `sendOn` is delivered. */
export const SEND_ON_TIME: TimeOfDay = { hour: 9, minute: 0 };

/** Time allowed for one delivery queue command, in ms, before the mutation fails. */
const QUEUE_TIMEOUT_MS = 10_000;

/** When to deliver: exactly one of an instant and a date in the recipient's time zone. */
export interface DeliveryTime {
  sendAt?: Date | null;
  /** YYYY-MM-DD, delivered at {@link SEND_ON_TIME} in the recipient's time zone. */
  sendOn?: string | null;
}

/** Dependencies of {@link DeliveryScheduler}. */
export interface DeliverySchedulerDependencies {
  cards: CardRepository;
  queue: DeliveryQueue;
  lookups: DeliveryLookups;
  logger: Logger;
}

/**
 * Schedules, reschedules and cancels card deliveries. Each scheduling gets a new delivery id,
 * stored on the card and carried by its delayed job, and a job whose id no longer matches the
 * card sends nothing. The job is added before the card is written. If the write fails, the
 * job is removed, or it finds the card without its id and sends nothing. So no card ends up
 * SCHEDULED without a job.
 */
export class DeliveryScheduler {
  constructor(private readonly deps: DeliverySchedulerDependencies) {}

  /** Returns the status of the card's order, asked of payments, or null while it has none. */
  orderStatus(ownerId: string, cardId: string): Promise<string | null> {
    return this.deps.lookups.orderStatus(ownerId, cardId);
  }

  /**
   * Schedules the owner's card, or moves a scheduled card to a new time.
   *
   * @throws BAD_USER_INPUT for a time that is not exactly one of sendAt and sendOn, or not in
   * the future.
   * @throws NOT_FOUND for a missing card or contact.
   * @throws INVALID_STATUS_TRANSITION for a card past scheduling or being delivered.
   * @throws PAYMENT_REQUIRED for a card without a PAID order.
   * @throws CONFLICT when a concurrent request rescheduled or cancelled the card.
   * @throws DEPENDENCY_FAILED when a delivery queue command times out.
   */
  async schedule(ownerId: string, cardId: string, time: DeliveryTime): Promise<CardDocument> {
    const now = new Date();
    if ((time.sendAt == null) === (time.sendOn == null)) {
      throw badUserInput(
        'Pass exactly one of "sendAt" (an instant) and "sendOn" (a date, delivered at 09:00 in ' +
          "the recipient's time zone).",
        time.sendAt == null ? 'sendAt' : 'sendOn',
      );
    }
    const card = await this.findOwnCard(cardId, ownerId);
    this.requireAllowed(card, 'schedule', 'scheduled');

    const sendAt =
      time.sendAt != null
        ? requireSendAt(time.sendAt, now)
        : await this.resolveSendOn(card, time.sendOn!, now);

    const orderStatus = await this.deps.lookups.orderStatus(ownerId, cardId);
    if (orderStatus !== 'PAID') throw paymentRequired(cardId, orderStatus);

    const previousDeliveryId = card.deliveryId ?? null;
    const data: DeliveryJobData = {
      cardId,
      ownerId,
      deliveryId: newDeliveryId(),
      previousDeliveryId,
    };
    await this.withQueue(cardId, enqueueDelivery(this.deps.queue, data, sendAt));

    const updated = await this.deps.cards.scheduleDelivery(cardId, ownerId, {
      sendAt,
      deliveryId: data.deliveryId,
      previousDeliveryId,
      publicToken: card.publicToken ?? newPublicToken(ownerId),
      updatedAt: now,
    });
    if (!updated) {
      await this.removeJob(cardId, data.deliveryId);
      throw await this.lostRace(cardId, ownerId, 'schedule', 'scheduled');
    }
    if (previousDeliveryId) await this.removeJob(cardId, previousDeliveryId);
    return updated;
  }

  /**
   * Cancels a scheduled card's delivery: the job is removed and the card is a DRAFT again.
   *
   * @throws NOT_FOUND for a missing card.
   * @throws INVALID_STATUS_TRANSITION for a card that is not SCHEDULED or is being delivered.
   * @throws CONFLICT when a concurrent request rescheduled the card.
   */
  async cancel(ownerId: string, cardId: string): Promise<CardDocument> {
    const card = await this.findOwnCard(cardId, ownerId);
    this.requireAllowed(card, 'cancel', 'cancelled');

    const deliveryId = card.deliveryId ?? null;
    const updated = await this.deps.cards.cancelDelivery(cardId, ownerId, deliveryId, new Date());
    if (!updated) throw await this.lostRace(cardId, ownerId, 'cancel', 'cancelled');
    // A job that a worker has locked cannot be removed. It finds the card without its id and stops.
    if (deliveryId) await this.removeJob(cardId, deliveryId);
    return updated;
  }

  /** Returns 09:00 on `sendOn` in the recipient's time zone, checked like a given sendAt. */
  private async resolveSendOn(card: CardDocument, sendOn: string, now: Date): Promise<Date> {
    const timeZone = await this.deps.lookups.contactTimeZone(card.ownerId, card.contactId);
    if (timeZone === null) throw notFound('Contact', card.contactId);
    const sendAt = instantOfLocalTime(sendOn, SEND_ON_TIME, timeZone);
    if (sendAt.getTime() <= now.getTime()) {
      throw badUserInput(
        `"sendOn" ${sendOn} means 09:00 in the recipient's time zone ${timeZone}, ` +
          `${sendAt.toISOString()}, which has passed: pick a later date or pass "sendAt".`,
        'sendOn',
      );
    }
    return requireSendAt(sendAt, now, 'sendOn');
  }

  private async findOwnCard(cardId: string, ownerId: string): Promise<CardDocument> {
    const card = await this.deps.cards.findOwned(cardId, ownerId);
    if (!card) throw notFound('Card', cardId);
    return card;
  }

  /** Raises the error for a card whose status, or started delivery, rules out `action`. */
  private requireAllowed(card: CardDocument, action: CardAction, verb: string): void {
    if (!canTransition(action, card.status)) {
      throw invalidStatusTransition(card._id, card.status, verb, statusesAllowing(action));
    }
    if (card.deliveryStartedAt) throw deliveryStarted(card._id, verb);
  }

  /**
   * Builds the error for a conditional write that matched nothing, from the card as it is now:
   * gone, moved on in status, being delivered, or rescheduled by a concurrent request.
   */
  private async lostRace(
    cardId: string,
    ownerId: string,
    action: CardAction,
    verb: string,
  ): Promise<GraphQLError> {
    const current = await this.deps.cards.findOwned(cardId, ownerId);
    if (!current) return notFound('Card', cardId);
    try {
      this.requireAllowed(current, action, verb);
    } catch (error) {
      return error as GraphQLError;
    }
    return concurrentScheduleChange(cardId);
  }

  /**
   * Removes a delivery job if it is still waiting. A job that is gone or held by a worker is
   * left alone: it finds the card without its delivery id and sends nothing.
   */
  private async removeJob(cardId: string, deliveryId: string): Promise<void> {
    const jobId = deliveryJobId(cardId, deliveryId);
    try {
      const removed = await this.withQueue(cardId, this.deps.queue.remove(jobId));
      if (removed === 0)
        this.deps.logger.info({ jobId }, 'delivery job not removed: running or gone');
    } catch (error) {
      this.deps.logger.warn(
        { jobId, err: error instanceof Error ? error.message : String(error) },
        'could not remove a stale delivery job; it will find its card changed and send nothing',
      );
    }
  }

  /** Waits for a queue command up to {@link QUEUE_TIMEOUT_MS}, then raises DEPENDENCY_FAILED. */
  private async withQueue<T>(cardId: string, command: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(deliveryQueueUnavailable(cardId)), QUEUE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([command, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
