import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueueName } from '@heartfelt/kit';
import { findRepoRoot, graphql, startGraph, type TestGraph } from '@heartfelt/testkit';
import { reminderIdOf } from '../src/reminders/reminderId';
import { callAi, firstErrorCode } from './support/graphql';
import { openQueue, type TestQueue } from './support/queues';
import { waitFor } from './support/waitFor';

const SIGN_UP = `
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) { token user { id } }
  }
`;
const ADD_CONTACT = `
  mutation AddContact($input: AddContactInput!) {
    addContact(input: $input) { id }
  }
`;
const REMINDERS = readFileSync(
  join(findRepoRoot(), 'schema', 'operations', 'Reminders.graphql'),
  'utf8',
);
const USER_REMINDERS = `
  query UserReminders($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on User { reminders { id } } }
  }
`;

/** The time the scans of this file run at: a common year, so February 29 falls on the 28th. */
const SCAN_NOW = '2027-02-24T06:00:00.000Z';

interface Reminder {
  date: string;
  draft: string;
  contact: { id: string; name: string };
}

interface Account {
  token: string;
  userId: string;
}

let graph: TestGraph | undefined;
let scans: TestQueue;
let reminderJobs: TestQueue;
let ana: Account;
let dan: Account;
const contactIds: Record<string, string> = {};

beforeAll(async () => {
  graph = await startGraph({ subgraphs: ['users', 'ai'], workers: ['users', 'ai'] });
  scans = openQueue(graph.data.queueRedisUrl, QueueName.BirthdayScan);
  reminderJobs = openQueue(graph.data.queueRedisUrl, QueueName.Reminders);

  ana = await signUp();
  contactIds.Ana = await addContact(ana, 'Ana', 'sister', '1990-02-27');
  contactIds.Ben = await addContact(ana, 'Ben', 'colleague', '1985-03-06');
  contactIds.Cleo = await addContact(ana, 'Cleo', 'friend', '2000-02-29');
  dan = await signUp();
  contactIds.Dan = await addContact(dan, 'Dan', 'grandfather', '1950-02-26');

  await runScan(SCAN_NOW);
  await waitForReminderCount(3);
}, 180_000);

afterAll(async () => {
  await scans?.close();
  await reminderJobs?.close();
  await graph?.stop();
});

async function callGateway<Data>(
  token: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
) {
  return graphql<Data>(graph!.gatewayUrl, query, { token, variables });
}

async function signUp(): Promise<Account> {
  const response = await callGateway<{ signUp: { token: string; user: { id: string } } }>(
    undefined,
    SIGN_UP,
    {
      input: {
        email: `reminders.${randomUUID().slice(0, 8)}@example.com`,
        password: 'correct horse battery staple',
        displayName: 'Rita Reminder',
      },
    },
  );
  if (!response.data) throw new Error(`signUp failed: ${JSON.stringify(response.errors)}`);
  return { token: response.data.signUp.token, userId: response.data.signUp.user.id };
}

async function addContact(
  account: Account,
  name: string,
  relationship: string,
  birthday: string,
): Promise<string> {
  const response = await callGateway<{ addContact: { id: string } }>(account.token, ADD_CONTACT, {
    input: {
      name,
      relationship,
      birthday,
      timeZone: 'Europe/Lisbon',
      email: `${name.toLowerCase()}@example.com`,
    },
  });
  if (!response.data) throw new Error(`addContact failed: ${JSON.stringify(response.errors)}`);
  return response.data.addContact.id;
}

/**
 * Adds a scan job for `now`, waits until users-worker completes it, then until ai-worker has
 * processed the reminder jobs.
 */
async function runScan(now: string): Promise<void> {
  const job = await scans.queue.add(
    'birthday-scan',
    { now },
    { jobId: `test-scan-${randomUUID()}` },
  );
  await waitFor(
    `scan job ${job.id} to complete`,
    () => job.getState(),
    (state) => state === 'completed' || state === 'failed',
  );
  expect(await job.getState()).toBe('completed');
  await waitFor(
    'the reminders queue to drain',
    () => reminderJobs.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
    (counts) => Object.values(counts).every((count) => count === 0),
  );
}

function storedReminders() {
  return graph!.db
    .collection('reminders')
    .find({ ownerId: { $in: [ana.userId, dan.userId] } })
    .toArray();
}

async function waitForReminderCount(count: number): Promise<void> {
  await waitFor(
    `${count} stored reminders`,
    async () => (await storedReminders()).length,
    (stored) => stored >= count,
  );
}

async function remindersOf(account: Account): Promise<Reminder[]> {
  const response = await callGateway<{ me: { reminders: Reminder[] } }>(account.token, REMINDERS);
  if (!response.data) throw new Error(`Reminders failed: ${JSON.stringify(response.errors)}`);
  return response.data.me.reminders;
}

describe('birthday reminders', () => {
  test('list upcoming birthdays soonest first', async () => {
    const reminders = await remindersOf(ana);
    expect(reminders.map(({ date, contact }) => [date, contact.name])).toEqual([
      ['2027-02-27', 'Ana'],
      ['2027-02-28', 'Cleo'],
    ]);
  });

  test('reference the contact', async () => {
    const reminders = await remindersOf(ana);
    expect(reminders[0]?.contact.id).toBe(contactIds.Ana);
  });

  test('carry a draft naming the contact', async () => {
    for (const reminder of await remindersOf(ana)) {
      expect(reminder.draft.length).toBeGreaterThan(20);
      expect(reminder.draft).toContain(reminder.contact.name);
    }
  });

  test('leave out a birthday in ten days', async () => {
    const names = (await remindersOf(ana)).map((reminder) => reminder.contact.name);
    expect(names).not.toContain('Ben');
  });

  test('show each user only their own', async () => {
    const reminders = await remindersOf(dan);
    expect(reminders.map(({ date, contact }) => [date, contact.name])).toEqual([
      ['2027-02-26', 'Dan'],
    ]);
  });

  test('leave out past dates', async () => {
    await graph!.db.collection('reminders').insertOne({
      _id: reminderIdOf(dan.userId, contactIds.Dan!, '2026-02-26') as never,
      ownerId: dan.userId,
      contactId: contactIds.Dan,
      contactName: 'Dan',
      date: '2026-02-26',
      draft: 'Happy birthday, Dan!',
      createdAt: new Date(),
    });
    const dates = (await remindersOf(dan)).map((reminder) => reminder.date);
    expect(dates).toEqual(['2027-02-26']);
  });

  test('are forbidden to another user', async () => {
    const response = await callAi(graph!.processes.ai!.url, dan.userId, USER_REMINDERS, {
      representations: [{ __typename: 'User', id: ana.userId }],
    });
    expect(firstErrorCode(response)).toBe('FORBIDDEN');
  });

  test('require a signed-in user', async () => {
    const response = await callAi(graph!.processes.ai!.url, null, USER_REMINDERS, {
      representations: [{ __typename: 'User', id: ana.userId }],
    });
    expect(firstErrorCode(response)).toBe('UNAUTHENTICATED');
  });

  test('are stored under ids derived from contact and date', async () => {
    const stored = await graph!.db
      .collection('reminders')
      .findOne({ ownerId: ana.userId, contactId: contactIds.Ana });
    expect(stored?._id).toBe(reminderIdOf(ana.userId, contactIds.Ana!, '2027-02-27'));
    expect(stored?._id).toMatch(/^rem_[a-z2-7]{20}_[a-z2-7]{12}$/);
  });

  test('repeated scans and restarts create no duplicate', async () => {
    const before = await storedReminders();
    // Removing the finished jobs lets the next scan queue them again, so ai-worker really
    // processes each reminder a second time.
    await reminderJobs.queue.clean(0, 10_000, 'completed');
    await runScan(SCAN_NOW);
    expect(await reminderJobs.queue.getJobCountByTypes('completed')).toBeGreaterThanOrEqual(3);

    await graph!.processes['users-worker']!.stop();
    await graph!.processes['ai-worker']!.stop();
    await graph!.startWorker('users');
    await graph!.startWorker('ai');
    await reminderJobs.queue.clean(0, 10_000, 'completed');
    await runScan(SCAN_NOW);

    const after = await storedReminders();
    expect(after).toHaveLength(before.length);
    const keys = after.map((reminder) => `${reminder.contactId} ${reminder.date}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(await scans.queue.getJobSchedulersCount()).toBe(1);
  }, 120_000);
});
