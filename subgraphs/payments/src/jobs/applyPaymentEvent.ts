import type { Logger } from '@heartfelt/kit';
import { UnrecoverableError, type Job } from 'bullmq';
import type { OrderStatus } from '../generated/resolvers';
import type { PaymentEvent, PaymentEventType } from '../providers/paymentProvider';
import type { OrderDocument } from '../repository/documents';
import type { OrderEventChange, OrderRepository } from '../repository/orders';
import type { PaymentEventRepository } from '../repository/paymentEvents';
import { parsePaymentEvent } from './paymentEventQueue';

/**
 * The effect of processing an event: `applied` changed the order's status, `unchanged` found
 * the order already at or past the event's status and only recorded the event, and `duplicate`
 * found the event processed by an earlier delivery.
 */
export type PaymentEventOutcome = 'applied' | 'unchanged' | 'duplicate';

/** The status each event moves an order to. */
const targetStatus: Record<PaymentEventType, OrderStatus> = {
  succeeded: 'PAID',
  failed: 'FAILED',
  refunded: 'REFUNDED',
};

/**
 * Order statuses in the only direction they move. An event changes an order only when its
 * target status comes later than the current one, so the final status does not depend on the
 * order in which events arrive. A late `failed` never undoes a payment, and REFUNDED is final.
 */
const statusRank: Record<OrderStatus, number> = {
  PENDING: 0,
  FAILED: 1,
  PAID: 2,
  REFUNDED: 3,
};

/**
 * Times an event is re-read and re-applied when its order changed between the read and the
 * conditional update. Each retry follows a real concurrent change, so a few are plenty.
 */
const MAX_APPLY_ATTEMPTS = 5;

/** The dependencies of the payment event processor. */
export interface PaymentEventDependencies {
  orders: OrderRepository;
  events: PaymentEventRepository;
  logger: Logger;
}

/** Returns the change an event makes to an order in `current` status; `{}` for none. */
export function changeFor(event: PaymentEvent, current: OrderStatus): OrderEventChange {
  const status = targetStatus[event.type];
  if (statusRank[status] <= statusRank[current]) return {};
  if (event.type === 'succeeded') return { status, chargeId: event.chargeId };
  if (event.type === 'refunded') return { status, refundId: event.refundId };
  return { status };
}

/**
 * Applies a payment event to its order exactly once, without a multi-document transaction,
 * provided that the store applies a single-document update atomically (MongoDB does, FerretDB
 * 1.24 does not: see the NOTE in worker.ts).
 * When the event changes the order, the change and the record that the event was applied are
 * one single-document update (see OrderRepository.applyEvent), so a crash leaves either both
 * or neither, and a second delivery finds the event id on the order. The audit record in
 * `payment_events` is written afterwards and tolerates a duplicate, so a delivery retried after
 * a crash between the two writes completes it.
 *
 * An event that changes nothing leaves the order untouched and is only recorded in
 * `payment_events`. Skipping the write matters on FerretDB, which writes a whole document back
 * on every update and would overwrite a concurrent checkout or refund with a stale copy.
 *
 * @throws Error when the order does not exist, so that the job is retried with backoff and,
 * once its attempts are used up, kept as failed for an operator to inspect.
 */
export async function applyPaymentEvent(
  deps: Pick<PaymentEventDependencies, 'orders' | 'events'>,
  event: PaymentEvent,
): Promise<PaymentEventOutcome> {
  let outcome: PaymentEventOutcome | null = null;
  let order: OrderDocument | null = null;

  for (let attempt = 1; attempt <= MAX_APPLY_ATTEMPTS && outcome === null; attempt++) {
    order = await deps.orders.findById(event.orderId);
    if (!order) {
      throw new Error(
        `order ${event.orderId} of payment event ${event.id} (${event.type}) was not found; ` +
          'the event is retried in case checkout is recreating the order',
      );
    }
    if (order.appliedEventIds?.includes(event.id)) {
      outcome = 'duplicate';
      break;
    }
    const change = changeFor(event, order.status);
    if (!change.status) {
      outcome = 'unchanged';
    } else if (await deps.orders.applyEvent(order, event.id, order.status, change)) {
      outcome = 'applied';
    }
    // Otherwise another writer changed the order since it was read: read it again.
  }
  if (outcome === null || !order) {
    throw new Error(
      `order ${event.orderId} changed during each of ${MAX_APPLY_ATTEMPTS} attempts to apply ` +
        `payment event ${event.id}; the job is retried`,
    );
  }

  const recorded = await deps.events.record({
    _id: event.id,
    type: event.type,
    ownerId: order.ownerId,
    orderId: order._id,
    chargeId: event.chargeId,
    refundId: event.refundId,
    eventCreatedAt: new Date(event.createdAt),
    recordedAt: new Date(),
  });
  return outcome === 'unchanged' && !recorded ? 'duplicate' : outcome;
}

/**
 * Creates the processor of the `payment-events` queue. The job's return value is the outcome,
 * kept with the completed job. A job whose data is not a valid event fails at once without
 * retries, since retrying cannot repair it.
 */
export function paymentEventProcessor(
  deps: PaymentEventDependencies,
): (job: Job<unknown>) => Promise<PaymentEventOutcome> {
  return async (job) => {
    let event: PaymentEvent;
    try {
      event = parsePaymentEvent(job.data);
    } catch (error) {
      throw new UnrecoverableError(`job ${job.id}: ${(error as Error).message}`);
    }

    const outcome = await applyPaymentEvent(deps, event);
    deps.logger.info(
      { jobId: job.id, eventId: event.id, type: event.type, orderId: event.orderId, outcome },
      'payment event processed',
    );
    return outcome;
  };
}
