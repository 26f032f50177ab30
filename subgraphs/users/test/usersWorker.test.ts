import { randomUUID } from 'node:crypto';
import {
  createLogger,
  createQueue,
  createQueueRedis,
  GATEWAY_TOKEN_HEADER,
  newOwnedId,
  newUserId,
  QueueName,
  type Redis,
} from '@heartfelt/kit';
import { gatewayTokenFor, graphql, startGraph, type TestGraph } from '@heartfelt/testkit';
import type { Job, Queue } from 'bullmq';

const SIGN_UP = `
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) { user { id } }
  }
`;
const ADD_CONTACT = `
  mutation AddContact($input: AddContactInput!) {
    addContact(input: $input) { id }
  }
`;

/** The time the scans of this file run at: a common year, so February 29 falls on the 28th. */
const SCAN_NOW = '2027-02-24T06:00:00.000Z';

let graph: TestGraph | undefined;
let connection: Redis | undefined;
let scanQueue: Queue;
let reminderQueue: Queue;

beforeAll(async () => {
  graph = await startGraph({ subgraphs: ['users'], gateway: false });
  connection = createQueueRedis(graph.data.queueRedisUrl, createLogger('test', 'silent'));
  scanQueue = createQueue(QueueName.BirthdayScan, connection);
  reminderQueue = createQueue(QueueName.Reminders, connection);
}, 120_000);

afterAll(async () => {
  await scanQueue?.close();
  await reminderQueue?.close();
  connection?.disconnect();
  await graph?.stop();
});

/** Sends one operation to the users subgraph as the gateway would, for `userId`. */
async function callUsers<Data>(
  userId: string | null,
  query: string,
  variables: Record<string, unknown>,
): Promise<Data> {
  const response = await graphql<Data>(graph!.subgraphUrls.users, query, {
    variables,
    headers: { [GATEWAY_TOKEN_HEADER]: await gatewayTokenFor('users', userId) },
  });
  if (!response.data) throw new Error(`users request failed: ${JSON.stringify(response.errors)}`);
  return response.data;
}

async function signUp(): Promise<string> {
  const data = await callUsers<{ signUp: { user: { id: string } } }>(null, SIGN_UP, {
    input: {
      email: `reminders.${randomUUID().slice(0, 8)}@example.com`,
      password: 'correct horse battery staple',
      displayName: 'Rita Reminder',
    },
  });
  return data.signUp.user.id;
}

async function addContact(userId: string, name: string, birthday: string | null): Promise<string> {
  const data = await callUsers<{ addContact: { id: string } }>(userId, ADD_CONTACT, {
    input: {
      name,
      relationship: 'friend',
      birthday,
      timeZone: 'Europe/Paris',
      email: `${name.toLowerCase()}@example.com`,
    },
  });
  return data.addContact.id;
}

/** Restarts users-worker, or starts it when it is not running. */
async function restartUsersWorker(): Promise<void> {
  await graph!.processes['users-worker']?.stop();
  await graph!.startWorker('users');
}

/** Adds a scan job for `now` and waits until users-worker has completed it. */
async function runScan(now: string): Promise<Job> {
  const job = await scanQueue.add('birthday-scan', { now }, { jobId: `test-scan-${randomUUID()}` });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const state = await job.getState();
    if (state === 'completed') return (await scanQueue.getJob(job.id!))!;
    if (state === 'failed' || Date.now() > deadline) {
      throw new Error(`scan job ${job.id} did not complete: state ${state}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function remindersOf(contactId: string): Promise<Job[]> {
  return reminderQueue
    .getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'])
    .then((jobs) => jobs.filter((job) => job.data?.contactId === contactId));
}

describe('users-worker', () => {
  test('backfills birthdayMonthDay at start', async () => {
    const userId = newUserId();
    const withBirthday = newOwnedId('contact', userId);
    const withoutBirthday = newOwnedId('contact', userId);
    const contacts = graph!.db.collection('contacts');
    for (const [_id, birthday] of [
      [withBirthday, '1988-11-03'],
      [withoutBirthday, null],
    ] as const) {
      await contacts.insertOne({
        _id: _id as never,
        userId,
        name: 'Old Contact',
        relationship: 'friend',
        birthday,
        timeZone: 'UTC',
        email: 'old@example.com',
        createdAt: new Date(),
      });
    }

    await restartUsersWorker();

    // The backfill runs in the background once the worker is ready.
    let backfilled = await contacts.findOne({ _id: withBirthday as never, userId });
    for (let poll = 0; poll < 50 && !backfilled?.birthdayMonthDay; poll++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      backfilled = await contacts.findOne({ _id: withBirthday as never, userId });
    }
    expect(backfilled?.birthdayMonthDay).toBe('11-03');
    const untouched = await contacts.findOne({ _id: withoutBirthday as never, userId });
    expect(untouched).not.toHaveProperty('birthdayMonthDay');
  }, 60_000);

  test('registers one scheduler across three starts', async () => {
    for (let start = 0; start < 3; start++) await restartUsersWorker();

    const schedulers = await scanQueue.getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]?.key).toBe('birthday-scan');
    expect(schedulers[0]?.pattern).toBe('0 6 * * *');
    expect(schedulers[0]?.tz).toBe('UTC');
    const scheduled = await scanQueue.getJobs(['delayed']);
    expect(scheduled.filter((job) => job.name === 'birthday-scan')).toHaveLength(1);
  }, 120_000);

  test('addContact stores the birthday month-day', async () => {
    const userId = await signUp();
    const contactId = await addContact(userId, 'Mara', '1990-07-14');
    const stored = await graph!.db.collection('contacts').findOne({ _id: contactId as never });
    expect(stored?.birthdayMonthDay).toBe('07-14');
  });

  test('addContact without a birthday stores null', async () => {
    const userId = await signUp();
    const contactId = await addContact(userId, 'Nils', null);
    const stored = await graph!.db.collection('contacts').findOne({ _id: contactId as never });
    expect(stored?.birthdayMonthDay).toBeNull();
  });

  describe('birthday scan', () => {
    let userId: string;
    let inThreeDays: string;
    let inTenDays: string;
    let leapDay: string;
    let noBirthday: string;

    beforeAll(async () => {
      if (!graph!.processes['users-worker']) await graph!.startWorker('users');
      userId = await signUp();
      inThreeDays = await addContact(userId, 'Ana', '1990-02-27');
      inTenDays = await addContact(userId, 'Ben', '1985-03-06');
      leapDay = await addContact(userId, 'Cleo', '2000-02-29');
      noBirthday = await addContact(userId, 'Dev', null);
      await runScan(SCAN_NOW);
    }, 60_000);

    test('queues a reminder for a birthday in three days', async () => {
      const jobs = await remindersOf(inThreeDays);
      expect(jobs).toHaveLength(1);
      expect(jobs[0]?.id).toBe(`reminder.${inThreeDays}.2027-02-27`);
      expect(jobs[0]?.name).toBe('draft-reminder');
      expect(jobs[0]?.data).toEqual({
        userId,
        contactId: inThreeDays,
        contactName: 'Ana',
        relationship: 'friend',
        date: '2027-02-27',
      });
    });

    test('queues February 29 on February 28', async () => {
      const jobs = await remindersOf(leapDay);
      expect(jobs.map((job) => job.data.date)).toEqual(['2027-02-28']);
    });

    test('skips a birthday in ten days', async () => {
      expect(await remindersOf(inTenDays)).toHaveLength(0);
    });

    test('skips a contact without a birthday', async () => {
      expect(await remindersOf(noBirthday)).toHaveLength(0);
    });

    test('second scan and a restart queue no duplicate', async () => {
      await runScan(SCAN_NOW);
      await restartUsersWorker();
      await runScan(SCAN_NOW);
      expect(await remindersOf(inThreeDays)).toHaveLength(1);
      expect(await remindersOf(leapDay)).toHaveLength(1);
    }, 60_000);

    test('reports the jobs it requested', async () => {
      const job = await runScan(SCAN_NOW);
      // Ana and Cleo are this user's; other tests' contacts have other birthdays.
      expect(job.returnvalue).toEqual({ reminderJobs: 2 });
    });

    test('crosses into the next year', async () => {
      const newYear = await addContact(userId, 'Eve', '1995-01-02');
      await runScan('2027-12-29T06:00:00.000Z');
      const jobs = await remindersOf(newYear);
      expect(jobs.map((job) => job.data.date)).toEqual(['2028-01-02']);
    });
  });
});
