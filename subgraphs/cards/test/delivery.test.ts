import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis } from '@heartfelt/devstack';
import { deliveryJobId } from '../src/delivery/ids';
import { instantOfLocalTime } from '../src/delivery/zonedTime';
import {
  cancelCard,
  createCard,
  emailsContaining,
  errorCode,
  newSender,
  payFor,
  pendingJobsOf,
  readCard,
  scheduleCard,
  startDeliveryGraph,
  storedCard,
  waitFor,
  type DeliveryGraph,
} from './deliveryGraph';

const HOUR_MS = 60 * 60 * 1000;
/** Origin of the links in emails; any origin works, because the tests never follow them. */
const PUBLIC_BASE_URL = 'https://cards.heartfelt.test';
const DAY_MS = 24 * HOUR_MS;

let context: DeliveryGraph;
let outboxDir: string;

beforeAll(async () => {
  outboxDir = await mkdtemp(join(tmpdir(), 'cards-delivery-outbox-'));
  context = await startDeliveryGraph(outboxDir, { PUBLIC_BASE_URL: PUBLIC_BASE_URL });
}, 180_000);

afterAll(async () => {
  await context?.stop();
  if (outboxDir) await rm(outboxDir, { recursive: true, force: true });
});

/** Creates a paid draft card; returns the sender's token and the card id. */
async function paidCard(message?: string, timeZone?: string) {
  const { token, contactId } = await newSender(context, timeZone);
  const cardId = await createCard(context, token, contactId, message);
  await payFor(context, token, cardId);
  return { token, cardId };
}

/** Schedules a card `delayMs` ahead and waits until it is SENT, or 10 s after sendAt. */
async function deliver(token: string, cardId: string, delayMs: number) {
  const sendAt = new Date(Date.now() + delayMs).toISOString();
  const scheduled = await scheduleCard(context, token, cardId, { sendAt });
  expect(scheduled.errors).toBeUndefined();
  const card = await waitFor(
    () => readCard(context, token, cardId),
    (value) => value?.status === 'SENT',
    delayMs + 10_000,
  );
  return { sendAt, card };
}

function cardPage(token: string): Promise<Response> {
  return fetch(`${context.origin}/c/${token}`, { signal: AbortSignal.timeout(10_000) });
}

describe('scheduled delivery', () => {
  test('paid card is SENT soon after sendAt', async () => {
    const { token, cardId } = await paidCard();

    const { sendAt, card } = await deliver(token, cardId, 3000);
    const stored = await storedCard(context, cardId);
    const emails = await emailsContaining(outboxDir, `/c/${stored.publicToken}`);

    expect(card?.status).toBe('SENT');
    expect(Date.parse(card!.sentAt!) - Date.parse(sendAt)).toBeGreaterThanOrEqual(0);
    expect(Date.parse(card!.sentAt!) - Date.parse(sendAt)).toBeLessThan(5000);
    expect(emails).toHaveLength(1);
    expect(emails[0]).toContain(`${PUBLIC_BASE_URL}/c/${stored.publicToken}`);
    expect(emails[0]).toContain('Subject: Grace sent you a card: Balloons & Confetti');
    expect(emails[0]).toContain('To: Ada Example <ada@example.test>');
    expect(emails[0]).toContain('Happy birthday, Ada!');
  }, 30_000);

  test('unpaid card gets PAYMENT_REQUIRED', async () => {
    const { token, contactId } = await newSender(context);
    const cardId = await createCard(context, token, contactId);

    const result = await scheduleCard(context, token, cardId, {
      sendAt: new Date(Date.now() + DAY_MS).toISOString(),
    });

    expect(errorCode(result)).toBe('PAYMENT_REQUIRED');
    expect((await storedCard(context, cardId)).status).toBe('DRAFT');
    expect(await pendingJobsOf(context, cardId)).toHaveLength(0);
  });

  test('reschedule replaces the job', async () => {
    const { token, cardId } = await paidCard();
    const first = await scheduleCard(context, token, cardId, {
      sendAt: new Date(Date.now() + HOUR_MS).toISOString(),
    });
    const firstDeliveryId = (await storedCard(context, cardId)).deliveryId!;

    const secondSendAt = new Date(Date.now() + 2 * HOUR_MS).toISOString();
    const second = await scheduleCard(context, token, cardId, { sendAt: secondSendAt });
    const secondDeliveryId = (await storedCard(context, cardId)).deliveryId!;
    const jobs = await pendingJobsOf(context, cardId);

    expect(first.errors).toBeUndefined();
    expect(second.data?.scheduleCard.sendAt).toBe(secondSendAt);
    expect(secondDeliveryId).not.toBe(firstDeliveryId);
    expect(jobs.map((job) => job.id)).toEqual([deliveryJobId(cardId, secondDeliveryId)]);
    expect(await context.queue.getJob(deliveryJobId(cardId, firstDeliveryId))).toBeUndefined();
    expect(jobs[0]!.timestamp + jobs[0]!.delay).toBeGreaterThan(Date.parse(secondSendAt) - 1000);
    expect(jobs[0]!.timestamp + jobs[0]!.delay).toBeLessThan(Date.parse(secondSendAt) + 1000);
  });

  test('cancel removes the job and returns DRAFT', async () => {
    const { token, cardId } = await paidCard();
    await scheduleCard(context, token, cardId, {
      sendAt: new Date(Date.now() + HOUR_MS).toISOString(),
    });
    const deliveryId = (await storedCard(context, cardId)).deliveryId!;

    const cancelled = await cancelCard(context, token, cardId);
    const stored = await storedCard(context, cardId);

    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data?.cancelCard.status).toBe('DRAFT');
    expect(cancelled.data?.cancelCard.sendAt).toBeNull();
    expect(stored.deliveryId).toBeNull();
    expect(await pendingJobsOf(context, cardId)).toHaveLength(0);
    expect(await context.queue.getJob(deliveryJobId(cardId, deliveryId))).toBeUndefined();
  });

  test('cancelled card can be scheduled again', async () => {
    const { token, cardId } = await paidCard();
    await scheduleCard(context, token, cardId, {
      sendAt: new Date(Date.now() + HOUR_MS).toISOString(),
    });
    await cancelCard(context, token, cardId);

    const again = await scheduleCard(context, token, cardId, {
      sendAt: new Date(Date.now() + 2 * HOUR_MS).toISOString(),
    });

    expect(again.data?.scheduleCard.status).toBe('SCHEDULED');
    expect(await pendingJobsOf(context, cardId)).toHaveLength(1);
  });

  test('cancel rejects a DRAFT', async () => {
    const { token, contactId } = await newSender(context);
    const cardId = await createCard(context, token, contactId);

    const result = await cancelCard(context, token, cardId);

    expect(errorCode(result)).toBe('INVALID_STATUS_TRANSITION');
  });

  test('sendOn means 09:00 in the recipient time zone', async () => {
    const { token, cardId } = await paidCard(undefined, 'America/New_York');
    const date = new Date(Date.now() + 30 * DAY_MS).toISOString().slice(0, 10);

    const result = await scheduleCard(context, token, cardId, { sendOn: date });
    const jobs = await pendingJobsOf(context, cardId);
    const expected = instantOfLocalTime(date, { hour: 9, minute: 0 }, 'America/New_York');

    expect(result.errors).toBeUndefined();
    expect(result.data?.scheduleCard.sendAt).toBe(expected.toISOString());
    expect(jobs).toHaveLength(1);
    expect(Math.abs(jobs[0]!.timestamp + jobs[0]!.delay - expected.getTime())).toBeLessThan(1000);
  });

  test('sendOn rejects a past date', async () => {
    const { token, cardId } = await paidCard();

    const result = await scheduleCard(context, token, cardId, { sendOn: '2020-01-01' });

    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.field).toBe('sendOn');
  });

  test('SENT card cannot move back', async () => {
    const { token, cardId } = await paidCard();
    await deliver(token, cardId, 1000);

    const reschedule = await scheduleCard(context, token, cardId, {
      sendAt: new Date(Date.now() + HOUR_MS).toISOString(),
    });
    const cancel = await cancelCard(context, token, cardId);

    expect(errorCode(reschedule)).toBe('INVALID_STATUS_TRANSITION');
    expect(errorCode(cancel)).toBe('INVALID_STATUS_TRANSITION');
    expect((await storedCard(context, cardId)).status).toBe('SENT');
  }, 30_000);
});

describe('card page', () => {
  test('page renders and marks OPENED once', async () => {
    const { token, cardId } = await paidCard('<b>Hi</b> & "welcome"\nsecond line');
    await deliver(token, cardId, 1000);
    const publicToken = (await storedCard(context, cardId)).publicToken!;

    const first = await cardPage(publicToken);
    const html = await first.text();
    const opened = await readCard(context, token, cardId);
    const second = await cardPage(publicToken);
    await second.text();
    const reopened = await readCard(context, token, cardId);

    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain('&lt;b&gt;Hi&lt;/b&gt; &amp; &quot;welcome&quot;<br>');
    expect(html).not.toContain('<b>Hi</b>');
    expect(html).toContain('Balloons &amp; Confetti');
    expect(html).toContain('From Grace');
    expect(opened?.status).toBe('OPENED');
    expect(opened?.openedAt).not.toBeNull();
    expect(second.status).toBe(200);
    expect(reopened?.status).toBe('OPENED');
    expect(reopened?.openedAt).toBe(opened?.openedAt);
  }, 30_000);

  test('unknown token gives 404', async () => {
    const unknown = `${'a'.repeat(20)}.${randomBytes(16).toString('base64url')}`;

    const response = await cardPage(unknown);
    const html = await response.text();

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain('Card not found');
  });

  test('malformed token gives 404', async () => {
    const response = await cardPage('not-a-token');
    await response.text();

    expect(response.status).toBe(404);
  });

  test('scheduled card has no page yet', async () => {
    const { token, cardId } = await paidCard();
    await scheduleCard(context, token, cardId, {
      sendAt: new Date(Date.now() + HOUR_MS).toISOString(),
    });
    const publicToken = (await storedCard(context, cardId)).publicToken!;

    const response = await cardPage(publicToken);
    await response.text();

    expect(response.status).toBe(404);
    expect((await storedCard(context, cardId)).status).toBe('SCHEDULED');
  });
});

describe('queue Redis restart', () => {
  test('delayed job survives a queue Redis restart', async () => {
    const { token, cardId } = await paidCard();
    const sendAt = new Date(Date.now() + 6000).toISOString();
    const scheduled = await scheduleCard(context, token, cardId, { sendAt });
    expect(scheduled.errors).toBeUndefined();

    const { data } = context.graph;
    const port = Number(new URL(data.queueRedisUrl).port);
    await data.queueRedis.stop();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    data.queueRedis = await startRedis({ port, dataDir: data.queueRedisDir, role: 'queue' });

    const card = await waitFor(
      () => readCard(context, token, cardId),
      (value) => value?.status === 'SENT',
      30_000,
    );
    const publicToken = (await storedCard(context, cardId)).publicToken!;

    expect(card?.status).toBe('SENT');
    expect(await emailsContaining(outboxDir, `/c/${publicToken}`)).toHaveLength(1);
  }, 60_000);
});
