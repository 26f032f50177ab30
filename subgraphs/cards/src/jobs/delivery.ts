import { setTimeout as sleep } from 'node:timers/promises';
import { QueueName, type EntityCache, type Logger, type WorkerDefinition } from '@heartfelt/kit';
import { UnrecoverableError, type Job } from 'bullmq';
import { GraphQLError } from 'graphql';
import { cardPageUrl, composeCardEmail } from '../delivery/email';
import { deliveryJobId } from '../delivery/ids';
import type { DeliveryLookups } from '../delivery/lookups';
import type { Mailer } from '../delivery/mail';
import type { CardRepository } from '../repository/cards';
import type { DeliveryRepository } from '../repository/deliveries';
import type { CardDocument } from '../repository/documents';

/** Data of a `delivery` job: which card to send, for which scheduling of it. */
export interface DeliveryJobData {
  cardId: string;
  ownerId: string;
  deliveryId: string;
  /** The card's delivery id before this scheduling, null for a first schedule. */
  previousDeliveryId: string | null;
}

export const DELIVERY_JOB_NAME = 'deliver-card';

/** The part of a BullMQ queue that the producer of delivery jobs uses. */
export interface DeliveryQueue {
  add(
    name: string,
    data: DeliveryJobData,
    options: { jobId: string; delay: number },
  ): Promise<unknown>;
  /** Removes a waiting or delayed job; returns 0 when it is locked by a worker or gone. */
  remove(jobId: string): Promise<number>;
}

/** Adds the delayed job that delivers a card at `sendAt`. */
export async function enqueueDelivery(
  queue: DeliveryQueue,
  data: DeliveryJobData,
  sendAt: Date,
): Promise<void> {
  await queue.add(DELIVERY_JOB_NAME, data, {
    jobId: deliveryJobId(data.cardId, data.deliveryId),
    delay: Math.max(0, sendAt.getTime() - Date.now()),
  });
}

/**
 * How long after its creation a job may find the card without its delivery id and still wait
 * for it. The producer adds the job before it writes the card, so a job due at once can run
 * first. Such a job fails, and its retries (after 2 s, 4 s …) see the write.
 */
const PRODUCER_WRITE_GRACE_MS = 30_000;

/** Dependencies of the delivery job. */
export interface DeliveryJobDependencies {
  cards: CardRepository;
  deliveries: DeliveryRepository;
  lookups: DeliveryLookups;
  mailer: Mailer;
  cache: EntityCache;
  logger: Logger;
  /** Origin of the card page links (PUBLIC_BASE_URL). */
  publicBaseUrl: string;
  /** From header of card emails (MAIL_FROM). */
  mailFrom: string;
  /** Fault injection: wait after sending and before recording, in ms (0 outside tests). */
  testDelayAfterSendMs: number;
}

/**
 * Result of a delivery job: `sent`, `recovered` (an earlier attempt had sent the email and this
 * one recorded it), `already-sent`, `superseded` (rescheduled or cancelled) or `card-deleted`.
 */
export type DeliveryOutcome = 'sent' | 'recovered' | 'already-sent' | 'superseded' | 'card-deleted';

/** Defines the `delivery` queue's worker for the cards worker process. */
export function deliveryWorker(deps: DeliveryJobDependencies): WorkerDefinition<DeliveryJobData> {
  return {
    queue: QueueName.Delivery,
    concurrency: 4,
    async processor(job) {
      const ids = { jobId: job.id, cardId: job.data.cardId, deliveryId: job.data.deliveryId };
      let outcome: DeliveryOutcome;
      try {
        outcome = await deliverCard(deps, job);
      } catch (error) {
        // The runner logs the message; a failed subgraph call hides its cause behind it.
        const cause = error instanceof GraphQLError ? error.originalError?.message : undefined;
        if (cause) deps.logger.warn({ ...ids, cause }, 'delivery job failed on a subgraph call');
        throw error;
      }
      deps.logger.info({ ...ids, outcome }, 'delivery job finished');
      return outcome;
    },
  };
}

/**
 * Delivers one card, safely repeatable after a crash at any step:
 * 1. skip unless the card is still SCHEDULED with this job's delivery id;
 * 2. claim the delivery on the card, after which it can no longer be rescheduled or cancelled;
 * 3. record the intent in `deliveries` before sending;
 * 4. send, unless an earlier attempt recorded or left proof of sending;
 * 5. record the delivery, then the card, as SENT.
 */
export async function deliverCard(
  deps: DeliveryJobDependencies,
  job: Job<DeliveryJobData>,
): Promise<DeliveryOutcome> {
  const { cardId, ownerId, deliveryId } = job.data;
  const card = await deps.cards.findOwned(cardId, ownerId);
  if (!card) return 'card-deleted';
  if ((card.deliveryId ?? null) !== deliveryId) {
    if (mayAwaitProducerWrite(job, card)) {
      throw new Error(`card ${cardId} does not carry delivery ${deliveryId} yet; retrying`);
    }
    return 'superseded';
  }
  if (card.status === 'SENT' || card.status === 'OPENED') return 'already-sent';
  if (card.status !== 'SCHEDULED' || !card.publicToken) return 'superseded';

  // Read before the claim, so that a failing subgraph leaves the card reschedulable.
  const [recipient, presentation] = await Promise.all([
    deps.lookups.recipient(card),
    deps.lookups.presentation(card),
  ]);
  if (!recipient) {
    throw new UnrecoverableError(`card ${cardId}: its contact ${card.contactId} was not found`);
  }

  const mail = composeCardEmail({
    card,
    deliveryId,
    recipient,
    presentation,
    pageUrl: cardPageUrl(deps.publicBaseUrl, card.publicToken),
    from: deps.mailFrom,
  });

  const claimed = await deps.cards.claimDelivery(cardId, ownerId, deliveryId, new Date());
  await deps.cache.invalidate('card', [cardId]);
  if (!claimed) return 'superseded';

  const earlier = await deps.deliveries.recordIntent({
    _id: deliveryId,
    cardId,
    ownerId,
    state: 'SENDING',
    messageId: mail.messageId,
    transport: deps.mailer.transport,
    sendAttempts: 0,
    createdAt: new Date(),
    sentAt: null,
  });
  // An attempt that died after sending left the record SENDING: the outbox can tell whether its
  // file was written, SMTP cannot (null), and then the email is sent again.
  const sentBefore =
    earlier !== null &&
    (earlier.state === 'SENT' || (await deps.mailer.wasSent(deliveryId)) === true);

  if (!sentBefore) {
    await deps.deliveries.countSendAttempt(deliveryId, ownerId);
    await deps.mailer.send(mail);
    if (deps.testDelayAfterSendMs > 0) await sleep(deps.testDelayAfterSendMs);
  }

  const sentAt = new Date();
  await deps.deliveries.markSent(deliveryId, ownerId, sentAt);
  await deps.cards.markSent(cardId, ownerId, deliveryId, sentAt);
  await deps.cache.invalidate('card', [cardId]);
  return sentBefore ? 'recovered' : 'sent';
}

/**
 * Returns true when the card may not show this job's delivery id only because the producer has
 * not written it yet: the card still has the delivery id the producer read, and the job is new.
 */
function mayAwaitProducerWrite(job: Job<DeliveryJobData>, card: CardDocument): boolean {
  return (
    (card.deliveryId ?? null) === job.data.previousDeliveryId &&
    Date.now() - job.timestamp < PRODUCER_WRITE_GRACE_MS
  );
}
