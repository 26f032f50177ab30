import { newOwnedId, newTemplateId, newUserId } from '@heartfelt/kit';
import { execute, startStack, storeCommandCount, type GraphQLResponse, type Stack } from './stack';

/** A card as the tests select it. */
interface CardResult {
  id: string;
  status: string;
  message: string;
  sendAt: string | null;
  createdAt: string;
  updatedAt: string;
  owner: { id: string };
  template: { id: string };
  recipient: { id: string };
}

interface CardConnectionResult {
  edges: Array<{ cursor: string; node: { id: string; createdAt: string; status: string } }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
}

const CARD_FIELDS = `id status message sendAt createdAt updatedAt
  owner { id } template { id } recipient { id }`;

const CREATE_CARD = `mutation ($input: CreateCardInput!) { createCard(input: $input) { ${CARD_FIELDS} } }`;
const UPDATE_CARD = `mutation ($input: UpdateCardInput!) { updateCard(input: $input) { ${CARD_FIELDS} } }`;
const SCHEDULE_CARD = `mutation ($id: ID!, $sendAt: DateTime!) {
  scheduleCard(id: $id, sendAt: $sendAt) { ${CARD_FIELDS} }
}`;
const SCHEDULE_CARD_ON = `mutation ($id: ID!, $sendAt: DateTime, $sendOn: Date) {
  scheduleCard(id: $id, sendAt: $sendAt, sendOn: $sendOn) { ${CARD_FIELDS} }
}`;
const CARD = `query ($id: ID!) { card(id: $id) { ${CARD_FIELDS} } }`;
const CARD_ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Card { id message } }
}`;
const USER_CARDS = `query ($representations: [_Any!]!, $first: Int = 20, $after: String, $status: CardStatus) {
  _entities(representations: $representations) {
    ... on User {
      cards(first: $first, after: $after, status: $status) {
        edges { cursor node { id createdAt status } }
        pageInfo { hasNextPage hasPreviousPage endCursor }
      }
    }
  }
}`;

const DAY_MS = 24 * 60 * 60 * 1000;

let stack: Stack;
let templateId: string;

beforeAll(async () => {
  stack = await startStack();
  templateId = newTemplateId();
  await stack.db.collection('templates').insertOne({
    _id: templateId as never,
    title: 'Birthday balloons',
    occasion: 'BIRTHDAY',
    tags: ['balloons'],
    artworkUrl: 'https://cdn.example.test/templates/balloons.png',
    priceCents: 299,
    popularity: 10,
    createdAt: new Date(),
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

/** Creates a user id and one contact of that user, written straight to the users store. */
async function newUserWithContact(): Promise<{ userId: string; contactId: string }> {
  const userId = newUserId();
  const contactId = newOwnedId('contact', userId);
  await stack.db.collection('contacts').insertOne({
    _id: contactId as never,
    userId,
    name: 'Ada Example',
    relationship: 'friend',
    birthday: null,
    timeZone: 'Europe/Paris',
    email: 'ada@example.test',
    createdAt: new Date(),
  });
  return { userId, contactId };
}

function createCard(
  userId: string | null,
  input: { templateId: string; contactId: string; message: string },
): Promise<GraphQLResponse<{ createCard: CardResult }>> {
  return execute(stack.cardsUrl, userId, CREATE_CARD, { input });
}

/** Creates a card through the API and fails the test on any error. */
async function createDraft(userId: string, contactId: string, message = 'Happy birthday!') {
  const response = await createCard(userId, { templateId, contactId, message });
  expect(response.errors).toBeUndefined();
  return response.data!.createCard;
}

function userCards(
  viewerId: string | null,
  userId: string,
  args: { first?: number; after?: string | null; status?: string },
): Promise<GraphQLResponse<{ _entities: Array<{ cards: CardConnectionResult } | null> }>> {
  return execute(stack.cardsUrl, viewerId, USER_CARDS, {
    representations: [{ __typename: 'User', id: userId }],
    ...args,
  });
}

function countCards(ownerId: string): Promise<number> {
  return stack.db.collection('cards').countDocuments({ ownerId });
}

function errorCode(response: GraphQLResponse<unknown>): unknown {
  return response.errors?.[0]?.extensions?.code;
}

describe('createCard', () => {
  test('createCard starts a DRAFT', async () => {
    const { userId, contactId } = await newUserWithContact();

    const card = await createDraft(userId, contactId, '  Happy birthday, Ada!  ');

    expect(card.status).toBe('DRAFT');
    expect(card.message).toBe('Happy birthday, Ada!');
    expect(card.sendAt).toBeNull();
    expect(card.owner.id).toBe(userId);
    expect(card.template.id).toBe(templateId);
    expect(card.recipient.id).toBe(contactId);
    expect(card.id.startsWith('crd_')).toBe(true);
    const stored = await stack.db.collection('cards').findOne({ _id: card.id as never });
    expect(stored?.ownerId).toBe(userId);
  });

  test('createCard rejects unknown template', async () => {
    const { userId, contactId } = await newUserWithContact();

    const response = await createCard(userId, {
      templateId: newTemplateId(),
      contactId,
      message: 'Hello',
    });

    expect(errorCode(response)).toBe('NOT_FOUND');
    expect(await countCards(userId)).toBe(0);
  });

  test("createCard rejects someone else's contact", async () => {
    const { userId } = await newUserWithContact();
    const other = await newUserWithContact();

    const response = await createCard(userId, {
      templateId,
      contactId: other.contactId,
      message: 'Hello',
    });

    expect(errorCode(response)).toBe('NOT_FOUND');
    expect(response.errors?.[0]?.message).toBe(`Contact "${other.contactId}" was not found.`);
    expect(await countCards(userId)).toBe(0);
  });

  test('createCard rejects missing own contact', async () => {
    // The id names this user as owner, so only the users subgraph can tell that it is missing.
    const { userId } = await newUserWithContact();

    const response = await createCard(userId, {
      templateId,
      contactId: newOwnedId('contact', userId),
      message: 'Hello',
    });

    expect(errorCode(response)).toBe('NOT_FOUND');
    expect(await countCards(userId)).toBe(0);
  });

  test('createCard rejects too long message', async () => {
    const { userId, contactId } = await newUserWithContact();

    const response = await createCard(userId, { templateId, contactId, message: 'x'.repeat(2001) });

    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.extensions?.field).toBe('message');
    expect(await countCards(userId)).toBe(0);
  });

  test('createCard accepts 2000-character message', async () => {
    const { userId, contactId } = await newUserWithContact();

    const card = await createDraft(userId, contactId, 'x'.repeat(2000));

    expect(card.message).toHaveLength(2000);
  });

  test('createCard rejects blank message', async () => {
    const { userId, contactId } = await newUserWithContact();

    const response = await createCard(userId, { templateId, contactId, message: '   ' });

    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.extensions?.field).toBe('message');
  });

  test('createCard rejects malformed ids', async () => {
    const { userId, contactId } = await newUserWithContact();

    const badTemplate = await createCard(userId, { templateId: 'nope', contactId, message: 'Hi' });
    const badContact = await createCard(userId, { templateId, contactId: 'nope', message: 'Hi' });

    expect(errorCode(badTemplate)).toBe('BAD_USER_INPUT');
    expect(badTemplate.errors?.[0]?.extensions?.field).toBe('templateId');
    expect(errorCode(badContact)).toBe('BAD_USER_INPUT');
    expect(badContact.errors?.[0]?.extensions?.field).toBe('contactId');
    expect(await countCards(userId)).toBe(0);
  });

  test('createCard requires a user', async () => {
    const { contactId } = await newUserWithContact();

    const response = await createCard(null, { templateId, contactId, message: 'Hello' });

    expect(errorCode(response)).toBe('UNAUTHENTICATED');
  });
});

describe('updateCard', () => {
  test('updateCard edits a draft', async () => {
    const { userId, contactId } = await newUserWithContact();
    const card = await createDraft(userId, contactId, 'First words');
    // Reading the card first puts it in the entity cache, which the update must invalidate.
    await execute(stack.cardsUrl, userId, CARD, { id: card.id });
    // Lets the clock move past the creation millisecond, so that updatedAt must increase.
    await new Promise((resolve) => setTimeout(resolve, 10));

    const response = await execute<{ updateCard: CardResult }>(
      stack.cardsUrl,
      userId,
      UPDATE_CARD,
      {
        input: { id: card.id, message: 'Better words' },
      },
    );
    const reread = await execute<{ card: CardResult }>(stack.cardsUrl, userId, CARD, {
      id: card.id,
    });

    expect(response.errors).toBeUndefined();
    expect(response.data?.updateCard.message).toBe('Better words');
    expect(response.data?.updateCard.recipient.id).toBe(contactId);
    expect(Date.parse(response.data!.updateCard.updatedAt)).toBeGreaterThan(
      Date.parse(card.updatedAt),
    );
    expect(reread.data?.card?.message).toBe('Better words');
  });

  test('updateCard rejects a SCHEDULED card', async () => {
    const { userId, contactId } = await newUserWithContact();
    const card = await createDraft(userId, contactId);
    // Scheduling through the API needs a paid order; delivery.test.ts covers that path.
    await stack.db
      .collection('cards')
      .updateOne(
        { _id: card.id as never, ownerId: userId },
        { $set: { status: 'SCHEDULED', sendAt: new Date(Date.now() + DAY_MS) } },
      );

    const response = await execute(stack.cardsUrl, userId, UPDATE_CARD, {
      input: { id: card.id, message: 'Too late' },
    });

    expect(errorCode(response)).toBe('INVALID_STATUS_TRANSITION');
    expect(response.errors?.[0]?.message).toContain('SCHEDULED');
    const stored = await stack.db.collection('cards').findOne({ _id: card.id as never });
    expect(stored?.message).toBe('Happy birthday!');
  });

  test("updateCard hides another user's card", async () => {
    const owner = await newUserWithContact();
    const card = await createDraft(owner.userId, owner.contactId);
    const { userId } = await newUserWithContact();

    const response = await execute(stack.cardsUrl, userId, UPDATE_CARD, {
      input: { id: card.id, message: 'Not mine' },
    });

    expect(errorCode(response)).toBe('NOT_FOUND');
  });

  test('updateCard rejects unknown template', async () => {
    const { userId, contactId } = await newUserWithContact();
    const card = await createDraft(userId, contactId);

    const response = await execute(stack.cardsUrl, userId, UPDATE_CARD, {
      input: { id: card.id, templateId: newTemplateId() },
    });

    expect(errorCode(response)).toBe('NOT_FOUND');
    const stored = await stack.db.collection('cards').findOne({ _id: card.id as never });
    expect(stored?.templateId).toBe(templateId);
  });
});

describe('scheduleCard', () => {
  test('scheduleCard rejects both sendAt and sendOn', async () => {
    const { userId, contactId } = await newUserWithContact();
    const card = await createDraft(userId, contactId);

    const response = await execute(stack.cardsUrl, userId, SCHEDULE_CARD_ON, {
      id: card.id,
      sendAt: new Date(Date.now() + DAY_MS).toISOString(),
      sendOn: '2099-01-01',
    });

    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.message).toContain('exactly one');
  });

  test('scheduleCard rejects a missing time', async () => {
    const { userId, contactId } = await newUserWithContact();
    const card = await createDraft(userId, contactId);

    const response = await execute(stack.cardsUrl, userId, SCHEDULE_CARD_ON, { id: card.id });

    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.extensions?.field).toBe('sendAt');
  });

  test('scheduleCard rejects an impossible sendOn', async () => {
    const { userId, contactId } = await newUserWithContact();
    const card = await createDraft(userId, contactId);

    const response = await execute(stack.cardsUrl, userId, SCHEDULE_CARD_ON, {
      id: card.id,
      sendOn: '2099-02-30',
    });

    expect(errorCode(response)).toBe('BAD_USER_INPUT');
  });

  test("scheduleCard hides another user's card", async () => {
    const owner = await newUserWithContact();
    const card = await createDraft(owner.userId, owner.contactId);
    const { userId } = await newUserWithContact();

    const response = await execute(stack.cardsUrl, userId, SCHEDULE_CARD, {
      id: card.id,
      sendAt: new Date(Date.now() + DAY_MS).toISOString(),
    });

    expect(errorCode(response)).toBe('NOT_FOUND');
    const stored = await stack.db.collection('cards').findOne({ _id: card.id as never });
    expect(stored?.status).toBe('DRAFT');
  });

  test('scheduleCard rejects a past sendAt', async () => {
    const { userId, contactId } = await newUserWithContact();
    const card = await createDraft(userId, contactId);

    const response = await execute(stack.cardsUrl, userId, SCHEDULE_CARD, {
      id: card.id,
      sendAt: new Date(Date.now() - 60_000).toISOString(),
    });

    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.extensions?.field).toBe('sendAt');
  });

  test('scheduleCard rejects sendAt beyond two years', async () => {
    const { userId, contactId } = await newUserWithContact();
    const card = await createDraft(userId, contactId);

    const response = await execute(stack.cardsUrl, userId, SCHEDULE_CARD, {
      id: card.id,
      sendAt: new Date(Date.now() + 3 * 366 * DAY_MS).toISOString(),
    });

    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.extensions?.field).toBe('sendAt');
  });

  test('scheduleCard rejects a SENT card', async () => {
    const { userId, contactId } = await newUserWithContact();
    const card = await createDraft(userId, contactId);
    await stack.db
      .collection('cards')
      .updateOne({ _id: card.id as never, ownerId: userId }, { $set: { status: 'SENT' } });

    const response = await execute(stack.cardsUrl, userId, SCHEDULE_CARD, {
      id: card.id,
      sendAt: new Date(Date.now() + DAY_MS).toISOString(),
    });

    expect(errorCode(response)).toBe('INVALID_STATUS_TRANSITION');
    expect(response.errors?.[0]?.message).toContain('SENT');
    const stored = await stack.db.collection('cards').findOne({ _id: card.id as never });
    expect(stored?.status).toBe('SENT');
  });
});

describe('card visibility', () => {
  test("card returns null for another user's card", async () => {
    const owner = await newUserWithContact();
    const card = await createDraft(owner.userId, owner.contactId);
    const { userId } = await newUserWithContact();

    const own = await execute<{ card: CardResult | null }>(stack.cardsUrl, owner.userId, CARD, {
      id: card.id,
    });
    const foreign = await execute<{ card: CardResult | null }>(stack.cardsUrl, userId, CARD, {
      id: card.id,
    });

    expect(own.data?.card?.id).toBe(card.id);
    expect(foreign.errors).toBeUndefined();
    expect(foreign.data?.card).toBeNull();
  });

  test("_entities returns null for another user's card", async () => {
    const owner = await newUserWithContact();
    const card = await createDraft(owner.userId, owner.contactId);
    const { userId } = await newUserWithContact();
    const representations = [{ __typename: 'Card', id: card.id }];

    const own = await execute<{ _entities: Array<{ id: string } | null> }>(
      stack.cardsUrl,
      owner.userId,
      CARD_ENTITIES,
      { representations },
    );
    const foreign = await execute<{ _entities: Array<{ id: string } | null> }>(
      stack.cardsUrl,
      userId,
      CARD_ENTITIES,
      { representations },
    );

    expect(own.data?._entities[0]?.id).toBe(card.id);
    expect(foreign.errors).toBeUndefined();
    expect(foreign.data?._entities[0]).toBeNull();
  });

  test('card requires a user', async () => {
    const owner = await newUserWithContact();
    const card = await createDraft(owner.userId, owner.contactId);

    const response = await execute(stack.cardsUrl, null, CARD, { id: card.id });

    expect(errorCode(response)).toBe('UNAUTHENTICATED');
  });
});

describe('User.cards', () => {
  test('User.cards paginates newest first', async () => {
    const { userId, contactId } = await newUserWithContact();
    const created: string[] = [];
    for (let index = 0; index < 25; index++) {
      created.push((await createDraft(userId, contactId, `Card ${index}`)).id);
    }

    const first = await userCards(userId, userId, { first: 10 });
    const firstPage = first.data!._entities[0]!.cards;
    const second = await userCards(userId, userId, {
      first: 10,
      after: firstPage.pageInfo.endCursor,
    });
    const secondPage = second.data!._entities[0]!.cards;
    const third = await userCards(userId, userId, {
      first: 10,
      after: secondPage.pageInfo.endCursor,
    });
    const thirdPage = third.data!._entities[0]!.cards;

    const firstIds = firstPage.edges.map((edge) => edge.node.id);
    const secondIds = secondPage.edges.map((edge) => edge.node.id);
    const thirdIds = thirdPage.edges.map((edge) => edge.node.id);
    expect(firstIds).toHaveLength(10);
    expect(firstPage.pageInfo.hasNextPage).toBe(true);
    expect(firstPage.pageInfo.hasPreviousPage).toBe(false);
    expect(secondIds).toHaveLength(10);
    expect(secondPage.pageInfo.hasNextPage).toBe(true);
    expect(secondPage.pageInfo.hasPreviousPage).toBe(true);
    expect(secondIds.filter((id) => firstIds.includes(id))).toEqual([]);
    expect(thirdIds).toHaveLength(5);
    expect(thirdPage.pageInfo.hasNextPage).toBe(false);
    const all = [...firstPage.edges, ...secondPage.edges, ...thirdPage.edges];
    expect(all.map((edge) => edge.node.id).sort()).toEqual([...created].sort());
    const times = all.map((edge) => Date.parse(edge.node.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  test('User.cards breaks createdAt ties by id', async () => {
    const userId = newUserId();
    const createdAt = new Date('2026-01-01T00:00:00.000Z');
    const ids = Array.from({ length: 5 }, () => newOwnedId('card', userId));
    await stack.db.collection('cards').insertMany(
      ids.map((id) => ({
        _id: id as never,
        ownerId: userId,
        templateId,
        contactId: newOwnedId('contact', userId),
        message: 'Same instant',
        status: 'DRAFT',
        sendAt: null,
        createdAt,
        updatedAt: createdAt,
      })),
    );

    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const response = await userCards(userId, userId, { first: 2, after });
      const connection: CardConnectionResult = response.data!._entities[0]!.cards;
      seen.push(...connection.edges.map((edge) => edge.node.id));
      after = connection.pageInfo.endCursor;
    }

    expect(seen).toEqual([...ids].sort().reverse());
  });

  test('User.cards filters by status', async () => {
    const { userId, contactId } = await newUserWithContact();
    const draft = await createDraft(userId, contactId);
    const scheduled = await createDraft(userId, contactId);
    await stack.db
      .collection('cards')
      .updateOne(
        { _id: scheduled.id as never, ownerId: userId },
        { $set: { status: 'SCHEDULED', sendAt: new Date(Date.now() + DAY_MS) } },
      );

    const response = await userCards(userId, userId, { status: 'DRAFT' });
    const ids = response.data!._entities[0]!.cards.edges.map((edge) => edge.node.id);

    expect(ids).toEqual([draft.id]);
  });

  test('User.cards rejects bad page arguments', async () => {
    const { userId } = await newUserWithContact();

    const negative = await userCards(userId, userId, { first: -1 });
    const malformed = await userCards(userId, userId, { after: 'not-a-cursor' });

    expect(errorCode(negative)).toBe('BAD_USER_INPUT');
    expect(negative.errors?.[0]?.extensions?.field).toBe('first');
    expect(errorCode(malformed)).toBe('BAD_USER_INPUT');
    expect(malformed.errors?.[0]?.extensions?.field).toBe('after');
  });

  test("User.cards forbids another user's list", async () => {
    const owner = await newUserWithContact();
    const { userId } = await newUserWithContact();

    const response = await userCards(userId, owner.userId, {});

    expect(errorCode(response)).toBe('FORBIDDEN');
  });

  test('store finds stay flat for 40 cards', async () => {
    /** Returns the `find` commands on `cards` caused by one request for `count` cards. */
    const findsForCards = async (count: number): Promise<number> => {
      const { userId, contactId } = await newUserWithContact();
      const ids: string[] = [];
      for (let index = 0; index < count; index++) {
        ids.push((await createDraft(userId, contactId)).id);
      }
      const representations = [
        { __typename: 'User', id: userId },
        ...ids.map((id) => ({ __typename: 'Card', id })),
      ];
      const query = `query ($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on User { cards(first: 100) { edges { node { id message owner { id } } } } }
          ... on Card { id message status template { id } recipient { id } }
        }
      }`;

      const before = await storeCommandCount(stack.cardsUrl, 'cards', 'find');
      const response = await execute<{ _entities: unknown[] }>(stack.cardsUrl, userId, query, {
        representations,
      });
      const after = await storeCommandCount(stack.cardsUrl, 'cards', 'find');

      expect(response.errors).toBeUndefined();
      expect(response.data?._entities.filter((entity) => entity !== null)).toHaveLength(count + 1);
      return after - before;
    };

    const findsForFour = await findsForCards(4);
    const findsForForty = await findsForCards(40);

    expect(findsForFour).toBeGreaterThan(0);
    expect(findsForForty).toBe(findsForFour);
  });
});
