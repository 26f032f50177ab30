import { randomUUID } from 'node:crypto';
import { newUserId, verifyAccessToken } from '@heartfelt/kit';
import {
  JWT_SECRET,
  graphql,
  startUsersStack,
  storeCommandCount,
  type UsersStack,
} from './harness';

const SIGN_UP = `
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) { token user { id email displayName createdAt } }
  }
`;
const LOG_IN = `
  mutation LogIn($input: LogInInput!) {
    logIn(input: $input) { token user { id email } }
  }
`;
const ADD_CONTACT = `
  mutation AddContact($input: AddContactInput!) {
    addContact(input: $input) { id name relationship birthday timeZone email createdAt }
  }
`;
const USER_ENTITIES = `
  query UserEntities($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on User { id displayName email } }
  }
`;
const USER_CONTACTS = `
  query UserContacts($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on User { id contacts { id } } }
  }
`;
const CONTACT_ENTITIES = `
  query ContactEntities($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Contact { id name } }
  }
`;

interface AuthPayload {
  token: string;
  user: { id: string; email: string | null };
}
interface Contact {
  id: string;
  name: string;
  relationship: string;
  birthday: string | null;
  timeZone: string;
  email: string;
}

const PASSWORD = 'correct horse battery staple';

let stack: UsersStack;

beforeAll(async () => {
  stack = await startUsersStack();
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

/** Returns an address no other test uses. */
function uniqueEmail(label: string): string {
  return `${label}.${randomUUID().slice(0, 8)}@example.com`;
}

async function signUp(email = uniqueEmail('user'), password = PASSWORD): Promise<AuthPayload> {
  const response = await graphql<{ signUp: AuthPayload }>(stack, SIGN_UP, {
    input: { email, password, displayName: 'Ann Example' },
  });
  if (!response.data?.signUp) {
    throw new Error(`signUp failed: ${JSON.stringify(response.errors)}`);
  }
  return response.data.signUp;
}

function contactInput(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Bea Example',
    relationship: 'friend',
    birthday: '1990-04-12',
    timeZone: 'Europe/Paris',
    email: 'bea@example.com',
    ...overrides,
  };
}

async function addContact(userId: string, overrides: Record<string, unknown> = {}) {
  const response = await graphql<{ addContact: Contact }>(
    stack,
    ADD_CONTACT,
    { input: contactInput(overrides) },
    userId,
  );
  if (!response.data?.addContact) {
    throw new Error(`addContact failed: ${JSON.stringify(response.errors)}`);
  }
  return response.data.addContact;
}

async function countDocuments() {
  return {
    users: await stack.db.collection('users').countDocuments({}),
    emails: await stack.db.collection('emails').countDocuments({}),
  };
}

describe('signUp and logIn', () => {
  it('signUp token passes verification', async () => {
    const email = uniqueEmail('ann');
    const payload = await signUp(email);

    expect(payload.user.email).toBe(email);
    expect(await verifyAccessToken(payload.token, JWT_SECRET)).toBe(payload.user.id);
  });

  it('logIn returns a token for the same user', async () => {
    const email = uniqueEmail('ann');
    const created = await signUp(email);

    const response = await graphql<{ logIn: AuthPayload }>(stack, LOG_IN, {
      input: { email: email.toUpperCase(), password: PASSWORD },
    });

    expect(response.errors).toBeUndefined();
    expect(response.data?.logIn.user.id).toBe(created.user.id);
    expect(await verifyAccessToken(response.data!.logIn.token, JWT_SECRET)).toBe(created.user.id);
  });

  it('signUp stores a hash, not the password', async () => {
    const email = uniqueEmail('hash');
    const created = await signUp(email);

    const stored = await stack.db.collection('users').findOne({ _id: created.user.id as never });

    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(stored)).not.toContain(PASSWORD);
  });

  it('signUp rejects an email taken in other case', async () => {
    const email = uniqueEmail('taken');
    await signUp(email);

    const response = await graphql(stack, SIGN_UP, {
      input: { email: `  ${email.toUpperCase()} `, password: PASSWORD, displayName: 'Copy' },
    });

    expect(response.errors?.[0]?.extensions?.code).toBe('EMAIL_TAKEN');
    expect(response.errors?.[0]?.message).toContain('already registered');
    expect(await stack.db.collection('users').countDocuments({ email })).toBe(1);
    expect(await stack.db.collection('emails').countDocuments({ _id: email as never })).toBe(1);
  });

  it('signUp takes over an abandoned claim', async () => {
    const email = uniqueEmail('abandoned');
    const anHourAgo = new Date(Date.now() - 60 * 60 * 1000);
    // A claim whose user was never written, as a sign-up that crashed between its inserts leaves.
    await stack.db
      .collection('emails')
      .insertOne({ _id: email as never, userId: newUserId(), createdAt: anHourAgo });

    const created = await signUp(email);

    const claim = await stack.db.collection('emails').findOne({ _id: email as never });
    expect(claim?.userId).toBe(created.user.id);
  });

  it('signUp keeps a recent claim without a user', async () => {
    const email = uniqueEmail('pending');
    // A sign-up in progress: its claim is written and its user is not yet.
    await stack.db
      .collection('emails')
      .insertOne({ _id: email as never, userId: newUserId(), createdAt: new Date() });

    const response = await graphql(stack, SIGN_UP, {
      input: { email, password: PASSWORD, displayName: 'Ann' },
    });

    expect(response.errors?.[0]?.extensions?.code).toBe('EMAIL_TAKEN');
    expect(await stack.db.collection('users').countDocuments({ email })).toBe(0);
  });

  it.each([
    ['malformed email', { email: 'not-an-email', password: PASSWORD, displayName: 'Ann' }],
    ['short password', { email: uniqueEmail('short'), password: 'nine char', displayName: 'Ann' }],
    ['blank display name', { email: uniqueEmail('blank'), password: PASSWORD, displayName: '  ' }],
  ])('signUp rejects %s without writing', async (_case, input) => {
    const before = await countDocuments();

    const response = await graphql(stack, SIGN_UP, { input });

    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await countDocuments()).toEqual(before);
  });

  it('logIn rejects a wrong password', async () => {
    const email = uniqueEmail('wrong');
    await signUp(email);

    const response = await graphql(stack, LOG_IN, {
      input: { email, password: 'not the password at all' },
    });

    expect(response.errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
    expect(response.errors?.[0]?.message).toBe('Email or password is incorrect.');
  });

  it('logIn spends a hash on unknown emails', async () => {
    // Timing is not compared directly: the argon2 verification itself is counted, so the check
    // holds on a loaded machine.
    const verificationsOf = async (account: 'known' | 'unknown') => {
      const text = await (await fetch(new URL('/metrics', stack.url))).text();
      const line = text
        .split('\n')
        .find((entry) =>
          entry.startsWith(`heartfelt_password_verifications_total{account="${account}"`),
        );
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = await verificationsOf('unknown');

    await graphql(stack, LOG_IN, { input: { email: uniqueEmail('nobody'), password: PASSWORD } });

    expect(await verificationsOf('unknown')).toBe(before + 1);
  });

  it('logIn rejects an unknown email', async () => {
    const response = await graphql(stack, LOG_IN, {
      input: { email: uniqueEmail('nobody'), password: PASSWORD },
    });

    expect(response.errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
    expect(response.errors?.[0]?.message).toBe('Email or password is incorrect.');
  });
});

describe('me', () => {
  it('me is null when anonymous', async () => {
    const response = await graphql(stack, '{ me { id } }');

    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ me: null });
  });

  it('me returns the signed-in user with email', async () => {
    const created = await signUp();

    const response = await graphql<{ me: { id: string; email: string } }>(
      stack,
      '{ me { id email } }',
      {},
      created.user.id,
    );

    expect(response.data?.me).toEqual({ id: created.user.id, email: created.user.email });
  });
});

describe('addContact', () => {
  it('addContact stores normalized fields', async () => {
    const { user } = await signUp();

    const contact = await addContact(user.id, {
      name: '  Bea Example ',
      email: 'Bea@Example.COM',
      timeZone: 'europe/paris',
    });

    expect(contact.id.startsWith('ctc_')).toBe(true);
    expect(contact.name).toBe('Bea Example');
    expect(contact.email).toBe('bea@example.com');
    expect(contact.timeZone).toBe('Europe/Paris');
    expect(contact.birthday).toBe('1990-04-12');
  });

  it.each([
    ['unknown time zone', { timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
    ['malformed email', { email: 'bea-at-example.com' }, 'email'],
    ['blank name', { name: ' ' }, 'name'],
    ['long relationship', { relationship: 'x'.repeat(41) }, 'relationship'],
    ['future birthday', { birthday: '2999-01-01' }, 'birthday'],
    ['impossible birthday', { birthday: '2001-02-30' }, null],
  ])('addContact rejects %s', async (_case, overrides, field) => {
    const { user } = await signUp();

    const response = await graphql(stack, ADD_CONTACT, { input: contactInput(overrides) }, user.id);

    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    if (field !== null) expect(response.errors?.[0]?.message).toContain(`"${field}"`);
    expect(await stack.db.collection('contacts').countDocuments({ userId: user.id })).toBe(0);
  });

  it('addContact requires a signed-in user', async () => {
    const response = await graphql(stack, ADD_CONTACT, { input: contactInput() });

    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('addContact rejects contact 501', async () => {
    const { user } = await signUp();
    // Stand in for 499 earlier addContact calls by setting the counter they would have left.
    await stack.db
      .collection('users')
      .updateOne({ _id: user.id as never }, { $set: { contactCount: 499 } });

    await addContact(user.id, { name: 'Contact 500' });
    const response = await graphql(
      stack,
      ADD_CONTACT,
      { input: contactInput({ name: 'Contact 501' }) },
      user.id,
    );

    expect(response.errors?.[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
    expect(await stack.db.collection('contacts').countDocuments({ userId: user.id })).toBe(1);
  });

  it('contacts list newest first', async () => {
    const { user } = await signUp();
    const first = await addContact(user.id, { name: 'First' });
    const second = await addContact(user.id, { name: 'Second' });

    const response = await graphql<{ me: { contacts: Array<{ id: string }> } }>(
      stack,
      '{ me { contacts { id } } }',
      {},
      user.id,
    );

    expect(response.data?.me.contacts.map((contact) => contact.id)).toEqual([second.id, first.id]);
  });
});

describe('owner checks', () => {
  it('Contact reference resolves for its owner', async () => {
    const { user } = await signUp();
    const contact = await addContact(user.id);

    const response = await graphql(
      stack,
      CONTACT_ENTITIES,
      { representations: [{ __typename: 'Contact', id: contact.id }] },
      user.id,
    );

    expect(response.data).toEqual({ _entities: [{ id: contact.id, name: contact.name }] });
  });

  it('Contact reference is null for another user', async () => {
    const owner = await signUp();
    const other = await signUp();
    const contact = await addContact(owner.user.id);

    const response = await graphql(
      stack,
      CONTACT_ENTITIES,
      { representations: [{ __typename: 'Contact', id: contact.id }] },
      other.user.id,
    );

    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ _entities: [null] });
  });

  it('Contact reference is null for a malformed id', async () => {
    const { user } = await signUp();

    const response = await graphql(
      stack,
      CONTACT_ENTITIES,
      { representations: [{ __typename: 'Contact', id: 'ctc_not-an-id' }] },
      user.id,
    );

    expect(response.data).toEqual({ _entities: [null] });
  });

  it('User email is null for another user', async () => {
    const owner = await signUp();
    const other = await signUp();

    const response = await graphql<{ _entities: Array<{ id: string; email: string | null }> }>(
      stack,
      USER_ENTITIES,
      { representations: [{ __typename: 'User', id: owner.user.id }] },
      other.user.id,
    );

    expect(response.data?._entities[0]?.id).toBe(owner.user.id);
    expect(response.data?._entities[0]?.email).toBeNull();
  });

  it('User contacts are forbidden to another user', async () => {
    const owner = await signUp();
    const other = await signUp();
    await addContact(owner.user.id);

    const response = await graphql(
      stack,
      USER_CONTACTS,
      { representations: [{ __typename: 'User', id: owner.user.id }] },
      other.user.id,
    );

    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(response.errors?.[0]?.message).toBe('Contacts are visible only to their owner.');
  });

  it('User contacts require a signed-in user', async () => {
    const owner = await signUp();

    const response = await graphql(stack, USER_CONTACTS, {
      representations: [{ __typename: 'User', id: owner.user.id }],
    });

    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('User reference is null for a malformed id', async () => {
    const response = await graphql(stack, USER_ENTITIES, {
      representations: [{ __typename: 'User', id: 'usr_short' }],
    });

    expect(response.data).toEqual({ _entities: [null] });
  });
});

describe('batching', () => {
  it('30 User references make one users find', async () => {
    const created = await Promise.all(Array.from({ length: 30 }, () => signUp()));
    const representations = created.map(({ user }) => ({ __typename: 'User', id: user.id }));
    const before = await storeCommandCount(stack, 'users', 'find');

    const response = await graphql<{ _entities: Array<{ id: string } | null> }>(
      stack,
      USER_ENTITIES,
      { representations },
    );

    const after = await storeCommandCount(stack, 'users', 'find');
    expect(response.data?._entities.map((user) => user?.id)).toEqual(
      created.map(({ user }) => user.id),
    );
    expect(after - before).toBe(1);
  });

  it('cached User references make no find', async () => {
    const created = await Promise.all(Array.from({ length: 5 }, () => signUp()));
    const representations = created.map(({ user }) => ({ __typename: 'User', id: user.id }));
    await graphql(stack, USER_ENTITIES, { representations });
    const before = await storeCommandCount(stack, 'users', 'find');

    const response = await graphql<{ _entities: Array<{ id: string } | null> }>(
      stack,
      USER_ENTITIES,
      { representations },
    );

    const after = await storeCommandCount(stack, 'users', 'find');
    expect(response.data?._entities).toHaveLength(5);
    expect(after - before).toBe(0);
  });
});
