// Checks, in the store and the outbox, that the background work a run started was done, and
// done once: every scheduled card delivered by exactly one email, every checkout charged once
// with its payment event applied, every AI generation finished.
import { readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** Interval between checks while waiting for the workers to finish, in ms. */
const POLL_MS = 1000;

/**
 * Waits up to `timeoutSeconds` for the work in `effects` to finish, then returns what is
 * missing (`lost`) and what happened twice (`duplicates`). Work counts as lost when it is
 * still not done at the deadline. The queues retry after 2 s, 4 s, 8 s and so on, so a short
 * deadline can count as lost a job that a later retry would still finish.
 */
export async function verifyEffects(stack, effects, { timeoutSeconds = 90 } = {}) {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let pending = await pendingWork(stack.db, effects);
  while (pending.total > 0 && Date.now() < deadline) {
    await sleep(POLL_MS);
    pending = await pendingWork(stack.db, effects);
  }
  const duplicates = await duplicateEffects(stack, effects);
  return {
    started: {
      deliveries: effects.scheduledCards.length,
      checkouts: effects.checkouts.length,
      paidCheckouts: effects.orders.length,
      generations: effects.generations.length,
    },
    lost: {
      deliveries: pending.deliveries,
      paymentEvents: pending.paymentEvents,
      generations: pending.generations,
      total: pending.total,
    },
    failedGenerations: pending.failedGenerations,
    duplicates,
  };
}

/** Counts the scheduled cards not yet SENT, orders without their event, generations PENDING. */
async function pendingWork(db, effects) {
  const cardIds = effects.scheduledCards.map((card) => card.cardId);
  const sent = await db
    .collection('cards')
    .countDocuments({ _id: { $in: cardIds }, status: { $in: ['SENT', 'OPENED'] } });
  const orderIds = effects.orders.map((order) => order.orderId);
  const withEvent = new Set(
    await db.collection('payment_events').distinct('orderId', { orderId: { $in: orderIds } }),
  );
  const generations = await db
    .collection('generations')
    .find({ _id: { $in: effects.generations } }, { projection: { status: 1 } })
    .toArray();
  const deliveries = cardIds.length - sent;
  const paymentEvents = orderIds.filter((id) => !withEvent.has(id)).length;
  const unfinished =
    effects.generations.length -
    generations.filter((generation) => generation.status !== 'PENDING').length;
  return {
    deliveries,
    paymentEvents,
    generations: unfinished,
    failedGenerations: generations.filter((generation) => generation.status === 'FAILED').length,
    total: deliveries + paymentEvents + unfinished,
  };
}

/**
 * Counts effects that happened more than once: charges per order in the sandbox ledger,
 * deliveries per card, emails handed to the mailer more than once (`sendAttempts` above 1),
 * and outbox emails beyond one per card.
 */
async function duplicateEffects(stack, effects) {
  const { db } = stack;
  // Every attempted checkout counts, including those whose client gave up after its retries.
  const orderIds = effects.checkouts.map((checkout) => checkout.orderId);
  const charges = await db
    .collection('sandbox_charges')
    .find({ orderId: { $in: orderIds } }, { projection: { orderId: 1 } })
    .toArray();

  const cardIds = effects.scheduledCards.map((card) => card.cardId);
  const deliveries = await db
    .collection('deliveries')
    .find({ cardId: { $in: cardIds } }, { projection: { cardId: 1, sendAttempts: 1 } })
    .toArray();
  let outboxFiles = new Set();
  try {
    outboxFiles = new Set(await readdir(stack.outboxDir));
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }

  const emailed = deliveries.filter((delivery) => outboxFiles.has(`${delivery._id}.eml`));

  const paid = new Set(
    await db.collection('orders').distinct('_id', { _id: { $in: orderIds }, status: 'PAID' }),
  );
  return {
    charges: excessOver(charges.map((charge) => charge.orderId)),
    chargedNotPaid: new Set(charges.map((charge) => charge.orderId).filter((id) => !paid.has(id)))
      .size,
    deliveries: excessOver(deliveries.map((delivery) => delivery.cardId)),
    repeatedSends: deliveries.filter((delivery) => (delivery.sendAttempts ?? 0) > 1).length,
    // Each card is scheduled once, so it should have one email (`<delivery id>.eml`).
    outboxEmails: excessOver(emailed.map((delivery) => delivery.cardId)),
  };
}

/** Number of entries beyond the first for each value. */
function excessOver(values) {
  return values.length - new Set(values).size;
}
