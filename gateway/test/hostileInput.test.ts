import { GATEWAY_TOKEN_HEADER } from '@heartfelt/kit';
import {
  gatewayTokenFor,
  graphql,
  startGraph,
  type GraphQLResult,
  type SubgraphName,
  type TestGraph,
} from '@heartfelt/testkit';

let graph: TestGraph;
let token: string;
let userId: string;

const SIGN_UP = 'mutation ($input: SignUpInput!) { signUp(input: $input) { token user { id } } }';
const ADD_CONTACT = 'mutation ($input: AddContactInput!) { addContact(input: $input) { id } }';
const TEMPLATES =
  'query ($first: Int!, $after: String, $occasion: Occasion) { templates(first: $first, after: $after, occasion: $occasion) { edges { node { id } } } }';

beforeAll(async () => {
  graph = await startGraph();
  const result = await graphql<{ signUp: { token: string; user: { id: string } } }>(
    graph.gatewayUrl,
    SIGN_UP,
    {
      variables: {
        input: {
          email: 'hostile@example.com',
          password: 'correct horse battery',
          displayName: 'H',
        },
      },
    },
  );
  token = result.data!.signUp.token;
  userId = result.data!.signUp.user.id;
});

afterAll(async () => {
  await graph?.stop();
});

/** Counts the documents of the collections an attack could write to. */
async function documentCounts(): Promise<Record<string, number>> {
  const names = ['users', 'emails', 'contacts', 'cards', 'orders'];
  const counts = await Promise.all(names.map((name) => graph.db.collection(name).countDocuments()));
  return Object.fromEntries(names.map((name, index) => [name, counts[index]!]));
}

function expectBadUserInput(result: GraphQLResult): void {
  const codes = (result.errors ?? []).map((error) => error.extensions?.code);
  expect(codes.length).toBeGreaterThan(0);
  expect(codes).not.toContain('INTERNAL_SERVER_ERROR');
  expect(codes[0]).toBe('BAD_USER_INPUT');
}

const contactInput = (overrides: Record<string, unknown>) => ({
  input: {
    name: 'Di',
    relationship: 'friend',
    timeZone: 'Europe/Paris',
    email: 'di@example.com',
    ...overrides,
  },
});

describe('hostile variables at the gateway', () => {
  it.each<[string, string, Record<string, unknown>, boolean]>([
    [
      'operator as logIn email',
      'mutation ($input: LogInInput!) { logIn(input: $input) { token } }',
      { input: { email: { $ne: null }, password: { $ne: null } } },
      false,
    ],
    ['operator as card id', 'query ($id: ID!) { card(id: $id) { id } }', { id: { $gt: '' } }, true],
    [
      'operator as contact name',
      ADD_CONTACT,
      contactInput({ name: { $where: 'sleep(1000)' } }),
      true,
    ],
    [
      'array as email',
      ADD_CONTACT,
      contactInput({ email: ['a@example.com', 'b@example.com'] }),
      true,
    ],
    ['overlong contact name', ADD_CONTACT, contactInput({ name: 'x'.repeat(10_000) }), true],
    ['overlong relationship', ADD_CONTACT, contactInput({ relationship: 'y'.repeat(5_000) }), true],
    [
      'overlong email',
      ADD_CONTACT,
      contactInput({ email: `${'a'.repeat(300)}@example.com` }),
      true,
    ],
    ['email without domain', ADD_CONTACT, contactInput({ email: 'di@localhost' }), true],
    ['email with a space', ADD_CONTACT, contactInput({ email: 'di @example.com' }), true],
    ['unknown time zone', ADD_CONTACT, contactInput({ timeZone: 'Mars/Olympus' }), true],
    ['path as time zone', ADD_CONTACT, contactInput({ timeZone: '../../etc/passwd' }), true],
    ['NUL in name', ADD_CONTACT, contactInput({ name: 'Di\u0000' }), true],
  ])('rejects %s', async (_name, query, variables, signedIn) => {
    const before = await documentCounts();
    const result = await graphql(graph.gatewayUrl, query, {
      variables,
      ...(signedIn ? { token } : {}),
    });
    expectBadUserInput(result);
    expect(await documentCounts()).toEqual(before);
  });

  it('rejects an overlong display name at signUp', async () => {
    const before = await documentCounts();
    const result = await graphql(graph.gatewayUrl, SIGN_UP, {
      variables: {
        input: {
          email: 'long@example.com',
          password: 'correct horse battery',
          displayName: 'z'.repeat(100_000),
        },
      },
    });
    expectBadUserInput(result);
    expect(await documentCounts()).toEqual(before);
  });
});

describe('connection arguments', () => {
  it('requires first', async () => {
    const result = await graphql(graph.gatewayUrl, '{ templates { edges { node { id } } } }');
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0]?.message).toMatch(/argument "first" of type "Int!" is required/);
  });

  it.each<[string, Record<string, unknown>]>([
    ['first over 100', { first: 101 }],
    ['first of zero', { first: 0 }],
    ['null first', { first: null }],
    ['first as a string', { first: '10' }],
    ['unknown enum value', { first: 5, occasion: 'HALLOWEEN_PARTY' }],
    ['lowercase enum value', { first: 5, occasion: 'birthday' }],
    ['cursor that is not base64', { first: 5, after: '!!!not a cursor!!!' }],
    [
      'cursor of an operator',
      { first: 5, after: Buffer.from('{"$ne":null}').toString('base64url') },
    ],
    [
      'cursor with an object id',
      { first: 5, after: Buffer.from('[1,{"$gt":""}]').toString('base64url') },
    ],
    ['overlong cursor', { first: 5, after: 'A'.repeat(100_000) }],
  ])('rejects %s with BAD_USER_INPUT', async (_name, variables) => {
    expectBadUserInput(await graphql(graph.gatewayUrl, TEMPLATES, { variables }));
  });

  it('rejects a page size over the cost limit before charging it', async () => {
    const remainingAfter = async () => {
      const cheap = await graphql(graph.gatewayUrl, '{ __typename }');
      expect(cheap.status).toBe(200);
      return (cheap.extensions?.cost as { remaining: number }).remaining;
    };
    const before = await remainingAfter();
    const result = await graphql(graph.gatewayUrl, TEMPLATES, { variables: { first: 1_000_000 } });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0]?.message).toMatch(/Cost limit of 20000 exceeded/);
    // Only the two cheap requests, of cost 1 each, were charged.
    expect(await remainingAfter()).toBe(before - 1);
  });

  it('rejects a literal first over 100 on a nested connection', async () => {
    const result = await graphql(
      graph.gatewayUrl,
      '{ me { cards(first: 101) { edges { node { id } } } } }',
      { token },
    );
    expectBadUserInput(result);
  });

  it('accepts first of 100', async () => {
    const result = await graphql(graph.gatewayUrl, TEMPLATES, { variables: { first: 100 } });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ templates: { edges: [] } });
  });
});

describe('hostile representations sent to a subgraph', () => {
  async function entities(
    subgraph: SubgraphName,
    representations: unknown[],
    selection: string,
  ): Promise<GraphQLResult> {
    const response = await fetch(graph.subgraphUrls[subgraph], {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [GATEWAY_TOKEN_HEADER]: await gatewayTokenFor(subgraph, userId),
      },
      body: JSON.stringify({
        query: `query ($representations: [_Any!]!) { _entities(representations: $representations) { ${selection} } }`,
        variables: { representations },
      }),
    });
    const body = (await response.json()) as Omit<GraphQLResult, 'status' | 'headers'>;
    return { status: response.status, headers: response.headers, ...body };
  }

  it.each<[SubgraphName, string, string]>([
    ['users', 'Contact', '... on Contact { name }'],
    ['cards', 'Card', '... on Card { message }'],
    ['cards', 'User', '... on User { cards(first: 5) { edges { node { id } } } }'],
    ['templates', 'Template', '... on Template { title }'],
    ['payments', 'Order', '... on Order { status }'],
    ['payments', 'User', '... on User { orders(first: 5) { edges { node { id } } } }'],
    ['ai', 'MessageGeneration', '... on MessageGeneration { status }'],
  ])('%s rejects an operator as %s id', async (subgraph, typename, selection) => {
    for (const id of [{ $ne: null }, { $gt: '' }, ['a', 'b'], 42]) {
      const result = await entities(subgraph, [{ __typename: typename, id }], selection);
      expectBadUserInput(result);
      expect(result.data?._entities ?? null).toBeNull();
    }
  });

  it('rejects an operator nested in a representation', async () => {
    const result = await entities(
      'ai',
      [{ __typename: 'Card', id: 'crd_x', message: { $regex: '.*' } }],
      '... on Card { sentiment { label } }',
    );
    expectBadUserInput(result);
  });
});
