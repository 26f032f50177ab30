import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newTemplateId, QUEUE_PREFIX, QueueName } from '@heartfelt/kit';
import { findRepoRoot, graphql, startGraph, type TestGraph } from '@heartfelt/testkit';
import { Queue, type Job } from 'bullmq';
import Redis from 'ioredis';
import { decodeQuotedPrintable } from './eml';

/**
 * Helpers of the delivery tests: a graph with the users, cards, templates and payments
 * subgraphs, the gateway and the cards worker, driven through the gateway as a client would.
 */

/** A card as the delivery tests select it through the gateway. */
export interface DeliveredCard {
  id: string;
  status: string;
  sendAt: string | null;
  sentAt: string | null;
  openedAt: string | null;
}

export const CARD_FIELDS = 'id status sendAt sentAt openedAt';

/** The stored fields the tests read besides the API's. */
export interface StoredCard {
  status: string;
  deliveryId?: string | null;
  deliveryStartedAt?: Date | null;
  publicToken?: string;
  sendAt: Date | null;
}

export type GraphQLErrors = Array<{ message: string; extensions?: Record<string, unknown> }>;

/** A running delivery graph and the helpers bound to it. */
export interface DeliveryGraph {
  graph: TestGraph;
  /** The gateway's origin, where `/c/<token>` is served. */
  origin: string;
  outboxDir: string;
  templateId: string;
  queue: Queue;
  stop(): Promise<void>;
}

/**
 * Starts the graph with the cards worker, and the payments worker when it is built, because
 * payments may confirm orders from its event queue rather than in checkout itself.
 */
export async function startDeliveryGraph(
  outboxDir: string,
  env: Record<string, string> = {},
): Promise<DeliveryGraph> {
  const paymentsWorker = join(findRepoRoot(), 'subgraphs', 'payments', 'dist', 'worker.js');
  const graph = await startGraph({
    subgraphs: ['users', 'cards', 'templates', 'payments'],
    workers: existsSync(paymentsWorker) ? ['cards', 'payments'] : ['cards'],
    env: { OUTBOX_DIR: outboxDir, ...env },
  });
  const templateId = newTemplateId();
  await graph.db.collection('templates').insertOne({
    _id: templateId as never,
    title: 'Balloons & Confetti',
    occasion: 'BIRTHDAY',
    tags: ['balloons'],
    artworkUrl: 'https://cdn.example.test/templates/balloons.png',
    priceCents: 299,
    popularity: 10,
    createdAt: new Date(),
  });
  const connection = new Redis(graph.data.queueRedisUrl, { maxRetriesPerRequest: null });
  // The queue Redis is restarted by one test; the client reconnects on its own meanwhile.
  connection.on('error', () => undefined);
  const queue = new Queue(QueueName.Delivery, { connection, prefix: QUEUE_PREFIX });
  return {
    graph,
    origin: new URL(graph.gatewayUrl).origin,
    outboxDir,
    templateId,
    queue,
    async stop() {
      await queue.close();
      connection.disconnect();
      await graph.stop();
    },
  };
}

/** Signs up a user and adds one contact in `timeZone`; returns the token and the contact id. */
export async function newSender(
  context: DeliveryGraph,
  timeZone = 'Europe/Paris',
): Promise<{ token: string; contactId: string }> {
  const email = `sender-${Math.random().toString(36).slice(2)}@example.test`;
  const signUp = await graphql<{ signUp: { token: string } }>(
    context.graph.gatewayUrl,
    `
      mutation ($input: SignUpInput!) {
        signUp(input: $input) {
          token
        }
      }
    `,
    { variables: { input: { email, password: 'correct horse battery', displayName: 'Grace' } } },
  );
  expect(signUp.errors).toBeUndefined();
  const token = signUp.data!.signUp.token;
  const contact = await graphql<{ addContact: { id: string } }>(
    context.graph.gatewayUrl,
    `
      mutation ($input: AddContactInput!) {
        addContact(input: $input) {
          id
        }
      }
    `,
    {
      token,
      variables: {
        input: {
          name: 'Ada Example',
          relationship: 'friend',
          timeZone,
          email: 'ada@example.test',
        },
      },
    },
  );
  expect(contact.errors).toBeUndefined();
  return { token, contactId: contact.data!.addContact.id };
}

/** Creates a draft card through the gateway and returns its id. */
export async function createCard(
  context: DeliveryGraph,
  token: string,
  contactId: string,
  message = 'Happy birthday, Ada!',
): Promise<string> {
  const result = await graphql<{ createCard: { id: string } }>(
    context.graph.gatewayUrl,
    `
      mutation ($input: CreateCardInput!) {
        createCard(input: $input) {
          id
        }
      }
    `,
    { token, variables: { input: { templateId: context.templateId, contactId, message } } },
  );
  expect(result.errors).toBeUndefined();
  return result.data!.createCard.id;
}

/** Pays for a card with the sandbox provider and waits until its order is PAID. */
export async function payFor(context: DeliveryGraph, token: string, cardId: string) {
  const checkout = await graphql(
    context.graph.gatewayUrl,
    `
      mutation ($input: CheckoutInput!) {
        checkout(input: $input) {
          order {
            id
            status
          }
        }
      }
    `,
    {
      token,
      variables: {
        input: { cardId, paymentToken: 'tok_ok', idempotencyKey: `pay-${cardId}` },
      },
    },
  );
  expect(checkout.errors).toBeUndefined();
  const status = await waitFor(
    async () => {
      const result = await graphql<{ card: { order: { status: string } | null } | null }>(
        context.graph.gatewayUrl,
        `
          query ($id: ID!) {
            card(id: $id) {
              id
              order {
                status
              }
            }
          }
        `,
        { token, variables: { id: cardId } },
      );
      return result.data?.card?.order?.status ?? null;
    },
    (value) => value === 'PAID',
    20_000,
  );
  expect(status).toBe('PAID');
}

/** Calls scheduleCard through the gateway. */
export function scheduleCard(
  context: DeliveryGraph,
  token: string,
  id: string,
  time: { sendAt?: string; sendOn?: string },
) {
  return graphql<{ scheduleCard: DeliveredCard }>(
    context.graph.gatewayUrl,
    `mutation ($id: ID!, $sendAt: DateTime, $sendOn: Date) {
      scheduleCard(id: $id, sendAt: $sendAt, sendOn: $sendOn) { ${CARD_FIELDS} }
    }`,
    { token, variables: { id, ...time } },
  );
}

/** Calls cancelCard through the gateway. */
export function cancelCard(context: DeliveryGraph, token: string, id: string) {
  return graphql<{ cancelCard: DeliveredCard }>(
    context.graph.gatewayUrl,
    `mutation ($id: ID!) { cancelCard(id: $id) { ${CARD_FIELDS} } }`,
    { token, variables: { id } },
  );
}

/** Reads a card through the gateway. */
export async function readCard(
  context: DeliveryGraph,
  token: string,
  id: string,
): Promise<DeliveredCard | null> {
  const result = await graphql<{ card: DeliveredCard | null }>(
    context.graph.gatewayUrl,
    `query ($id: ID!) { card(id: $id) { ${CARD_FIELDS} } }`,
    { token, variables: { id } },
  );
  expect(result.errors).toBeUndefined();
  return result.data?.card ?? null;
}

/** Reads a card straight from the store. */
export async function storedCard(context: DeliveryGraph, id: string): Promise<StoredCard> {
  const card = await context.graph.db.collection('cards').findOne({ _id: id as never });
  if (!card) throw new Error(`card ${id} is not in the store`);
  return card as unknown as StoredCard;
}

/** Returns the delivery jobs of a card that are still to run or running. */
export async function pendingJobsOf(context: DeliveryGraph, cardId: string): Promise<Job[]> {
  const jobs = await context.queue.getJobs(['delayed', 'waiting', 'active', 'prioritized']);
  return jobs.filter((job) => (job.data as { cardId?: string }).cardId === cardId);
}

/** Returns the decoded .eml files in the outbox whose text contains `needle`. */
export async function emailsContaining(outboxDir: string, needle: string): Promise<string[]> {
  const names = existsSync(outboxDir) ? await readdir(outboxDir) : [];
  const emails: string[] = [];
  for (const name of names.filter((file) => file.endsWith('.eml'))) {
    const text = decodeQuotedPrintable(await readFile(join(outboxDir, name), 'utf8'));
    if (text.includes(needle)) emails.push(text);
  }
  return emails;
}

/**
 * Calls `read` every `intervalMs` until `done` accepts its value or `timeoutMs` pass, and
 * returns the last value read.
 */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    value = await read();
  }
  return value;
}

export function errorCode(result: { errors?: GraphQLErrors }): unknown {
  return result.errors?.[0]?.extensions?.code;
}
