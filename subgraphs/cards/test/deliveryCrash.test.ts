import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCard,
  emailsContaining,
  newSender,
  payFor,
  readCard,
  scheduleCard,
  startDeliveryGraph,
  storedCard,
  waitFor,
  type DeliveryGraph,
} from './deliveryGraph';

/**
 * Fault injection: the worker waits this long after writing an email and before recording it,
 * which gives the test time to kill it in between.
 */
const DELAY_AFTER_SEND_MS = 8000;

let context: DeliveryGraph;
let outboxDir: string;

beforeAll(async () => {
  outboxDir = await mkdtemp(join(tmpdir(), 'cards-crash-outbox-'));
  context = await startDeliveryGraph(outboxDir, {
    DELIVERY_TEST_DELAY_AFTER_SEND_MS: String(DELAY_AFTER_SEND_MS),
    // A short lock lets the restarted worker take the killed worker's job over sooner.
    WORKER_LOCK_DURATION_MS: '5000',
  });
}, 180_000);

afterAll(async () => {
  await context?.stop();
  if (outboxDir) await rm(outboxDir, { recursive: true, force: true });
});

test('worker killed after sending sends once', async () => {
  const { token, contactId } = await newSender(context);
  const cardId = await createCard(context, token, contactId);
  await payFor(context, token, cardId);
  const scheduled = await scheduleCard(context, token, cardId, {
    sendAt: new Date(Date.now() + 2000).toISOString(),
  });
  expect(scheduled.errors).toBeUndefined();
  const { deliveryId, publicToken } = await storedCard(context, cardId);
  const emlPath = join(outboxDir, `${deliveryId}.eml`);

  // Kill the worker while it waits between writing the email and recording it.
  const written = await waitFor(
    async () => existsSync(emlPath),
    (exists) => exists,
    15_000,
    20,
  );
  expect(written).toBe(true);
  const emailBeforeKill = await readFile(emlPath, 'utf8');
  const worker = context.graph.processes['cards-worker']!;
  process.kill(worker.pid, 'SIGKILL');
  await worker.exited;
  const afterKill = await storedCard(context, cardId);
  const deliveryAfterKill = await context.graph.db
    .collection('deliveries')
    .findOne({ _id: deliveryId as never });

  expect(afterKill.status).toBe('SCHEDULED');
  expect(afterKill.deliveryStartedAt).toBeInstanceOf(Date);
  expect(deliveryAfterKill?.state).toBe('SENDING');

  // BullMQ hands the job to the new worker once the killed one's lock expires (30 s).
  await context.graph.startWorker('cards');
  const card = await waitFor(
    () => readCard(context, token, cardId),
    (value) => value?.status === 'SENT',
    90_000,
    250,
  );
  const delivery = await context.graph.db
    .collection('deliveries')
    .findOne({ _id: deliveryId as never });

  expect(card?.status).toBe('SENT');
  expect(delivery?.state).toBe('SENT');
  expect(delivery?.sendAttempts).toBe(1);
  expect(await emailsContaining(outboxDir, `/c/${publicToken}`)).toHaveLength(1);
  expect(await readFile(emlPath, 'utf8')).toBe(emailBeforeKill);
}, 150_000);
