import { isId, jobIdOf } from '@heartfelt/kit';
import type { Queue } from 'bullmq';
import { z } from 'zod';
import { paymentEventTypes, type PaymentEvent } from '../providers/paymentProvider';

/**
 * A payment event as a job carries it. Event ids may not contain ':' because BullMQ reserves
 * it in job ids.
 */
export const paymentEventSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be 1 to 200 of A-Z, a-z, 0-9, "_", "-"'),
    type: z.enum(paymentEventTypes),
    orderId: z.string().refine((id) => isId('order', id), 'must be an order id'),
    chargeId: z.string().min(1).max(200),
    refundId: z.string().min(1).max(200).nullable(),
    createdAt: z.iso.datetime(),
  })
  .refine((event) => (event.type === 'refunded') === (event.refundId !== null), {
    message: 'refundId must be set on refunded events and null on the others',
    path: ['refundId'],
  });

/** Parses a payment event, raising a TypeError that lists every invalid field. */
export function parsePaymentEvent(value: unknown): PaymentEvent {
  const result = paymentEventSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`,
  );
  throw new TypeError(`invalid payment event: ${problems.join('; ')}`);
}

/** Derives the job id of a payment event, so that an event id is one job while the job is kept. */
export function paymentEventJobId(eventId: string): string {
  return jobIdOf('payment-event', eventId);
}

/**
 * Takes in a payment event the way a webhook endpoint does: checks it and enqueues it on the
 * `payment-events` queue, named by its type, for payments-worker to apply. Resolves once the
 * queue Redis has stored the job, and only then may the delivery be acknowledged. A delivery of
 * an event whose job is still kept (completed jobs are kept for a week) adds no second job,
 * and the worker ignores an event it has applied before, so a provider may retry freely.
 *
 * The sandbox provider calls this in-process. NOTE: a real provider needs an HTTP webhook that
 * verifies the provider's signature over the raw body and then calls this function. It cannot
 * be a subgraph route, because those accept only requests signed by the gateway, so it needs
 * its own route on the gateway or on an ingress in front of payments. No such route exists yet.
 */
export async function receiveProviderEvent(
  queue: Queue<PaymentEvent>,
  event: PaymentEvent,
): Promise<void> {
  const valid = parsePaymentEvent(event);
  await queue.add(valid.type, valid, { jobId: paymentEventJobId(valid.id) });
}
