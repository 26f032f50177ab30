// The load mix: what one visit of a logged-in user does, and how often each kind of visit
// happens. Operation texts come from schema/operations, the contract the clients use.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { root } from './stack.mjs';

const require = createRequire(import.meta.url);
const { orderIdFor } = require(join(root, 'subgraphs', 'payments', 'dist', 'checkoutKeys.js'));

const operation = (name) =>
  readFileSync(join(root, 'schema', 'operations', `${name}.graphql`), 'utf8');

export const OPERATIONS = {
  Dashboard: operation('Dashboard'),
  BrowseTemplates: operation('BrowseTemplates'),
  UpdateCard: operation('UpdateCard'),
  GenerateMessage: operation('GenerateMessage'),
  CreateCard: operation('CreateCard'),
  Checkout: operation('Checkout'),
  ScheduleCard: operation('ScheduleCard'),
  LogIn: operation('LogIn'),
  MessageGeneration: `query MessageGeneration($id: ID!) {
  messageGeneration(id: $id) { id status }
}`,
};

const OCCASIONS = ['BIRTHDAY', 'ANNIVERSARY', 'THANK_YOU', 'HOLIDAY', 'CONGRATULATIONS', 'LOVE'];

/** Retries of a failed checkout, and the delay before the first (doubling after), in ms. */
const CHECKOUT_RETRIES = 2;
const CHECKOUT_RETRY_DELAY_MS = 1000;

/**
 * Delay between scheduling a card and its delivery. It is short so that deliveries happen
 * during the run (and during a worker's outage in the fault runs), and long enough that an
 * overloaded graph does not receive the `sendAt` after it has passed, which it rejects.
 */
const DELIVERY_DELAY_MS = 20_000;

/**
 * Kinds of visit with their share of all visits in percent. Most visits read the Dashboard or
 * the template catalogue. Some edit a draft or request AI suggestions. A few buy a card: they
 * create it, check out with the sandbox's `tok_ok` and schedule its delivery.
 */
export const VISITS = [
  { name: 'dashboard', weight: 45, run: dashboardVisit },
  { name: 'browse', weight: 30, run: browseVisit },
  { name: 'edit', weight: 12, run: editVisit },
  { name: 'generate', weight: 8, run: generateVisit },
  { name: 'purchase', weight: 5, run: purchaseVisit },
];

/** Picks a visit by weight from a uniform number in [0, 1). */
export function pickVisit(uniform) {
  const total = VISITS.reduce((sum, visit) => sum + visit.weight, 0);
  let left = uniform * total;
  for (const visit of VISITS) {
    left -= visit.weight;
    if (left < 0) return visit;
  }
  return VISITS.at(-1);
}

async function dashboardVisit(client, user) {
  await client.send('Dashboard', { first: 10 }, user);
}

async function browseVisit(client, user) {
  const occasion = OCCASIONS[Math.floor(Math.random() * OCCASIONS.length)];
  await client.send('BrowseTemplates', { occasion, first: 12 }, user);
}

async function editVisit(client, user) {
  if (user.draftIds.length === 0) return dashboardVisit(client, user);
  const id = user.draftIds[Math.floor(Math.random() * user.draftIds.length)];
  const message = `Edited under load at ${new Date().toISOString()}`;
  await client.send('UpdateCard', { input: { id, message } }, user);
}

async function generateVisit(client, user, effects) {
  const data = await client.send(
    'GenerateMessage',
    {
      input: {
        occasion: 'BIRTHDAY',
        recipientName: 'Sam',
        relationship: 'friend',
        tone: 'WARM',
      },
    },
    user,
  );
  const id = data?.generateMessage?.id;
  if (id) effects.generations.push(id);
}

async function purchaseVisit(client, user, effects) {
  const templateId = user.templateIds[Math.floor(Math.random() * user.templateIds.length)];
  const contactId = user.contactIds[Math.floor(Math.random() * user.contactIds.length)];
  const created = await client.send(
    'CreateCard',
    { input: { templateId, contactId, message: 'Happy birthday from the load test' } },
    user,
  );
  const cardId = created?.createCard?.id;
  if (!cardId) return;
  // A client whose checkout failed or timed out retries with the same idempotency key, so a
  // fault run shows whether a retry charges twice.
  const idempotencyKey = `load-${randomUUID()}`;
  effects.checkouts.push({
    orderId: orderIdFor(user.id, idempotencyKey),
    cardId,
    ownerId: user.id,
  });
  let order;
  for (let attempt = 0; attempt <= CHECKOUT_RETRIES && !order; attempt += 1) {
    if (attempt > 0) await sleep(CHECKOUT_RETRY_DELAY_MS * attempt);
    const paid = await client.send(
      'Checkout',
      { input: { cardId, paymentToken: 'tok_ok', idempotencyKey } },
      user,
    );
    order = paid?.checkout?.order;
  }
  if (!order) return;
  effects.orders.push({ orderId: order.id, cardId, ownerId: user.id });
  const sendAt = new Date(Date.now() + DELIVERY_DELAY_MS).toISOString();
  const scheduled = await client.send('ScheduleCard', { id: cardId, sendAt }, user);
  if (scheduled?.scheduleCard?.status === 'SCHEDULED') {
    effects.scheduledCards.push({ cardId, ownerId: user.id });
  }
}
