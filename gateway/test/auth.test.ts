import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_TOKEN_HEADER } from '@heartfelt/kit';
import {
  findRepoRoot,
  gatewayTokenFor,
  graphql,
  startGraph,
  type TestGraph,
} from '@heartfelt/testkit';

const root = findRepoRoot();
const operation = (name: string) =>
  readFileSync(join(root, 'schema', 'operations', `${name}.graphql`), 'utf8');

const TEMPLATE_ID = 'tpl_dddddddddddddddddddd';
const ADMIN_SCOPE = 'admin:partner-keys';
const PASSWORD = 'correct horse battery';

let graph: TestGraph;

beforeAll(async () => {
  // The users, templates and cards subgraphs are enough for every case in this file.
  graph = await startGraph({ subgraphs: ['users', 'templates', 'cards'] });
  await graph.db.collection('templates').insertOne({
    _id: TEMPLATE_ID as never,
    title: 'Lanterns',
    occasion: 'BIRTHDAY',
    tags: ['night'],
    artworkUrl: 'https://assets.heartfelt.example/templates/d.png',
    priceCents: 399,
    popularity: 5,
    createdAt: new Date(),
  });
});

afterAll(async () => {
  await graph?.stop();
});

interface Session {
  token: string;
  refreshToken: string;
  userId: string;
}

async function signUp(email: string): Promise<Session> {
  const result = await graphql<{
    signUp: { token: string; refreshToken: string; tokenExpiresAt: string; user: { id: string } };
  }>(graph.gatewayUrl, operation('SignUp'), {
    variables: { input: { email, password: PASSWORD, displayName: 'Ada' } },
  });
  expect(result.errors).toBeUndefined();
  const payload = result.data!.signUp;
  return { token: payload.token, refreshToken: payload.refreshToken, userId: payload.user.id };
}

async function logIn(email: string): Promise<{ token: string; refreshToken: string }> {
  const result = await graphql<{ logIn: { token: string; refreshToken: string } }>(
    graph.gatewayUrl,
    operation('LogIn'),
    { variables: { input: { email, password: PASSWORD } } },
  );
  expect(result.errors).toBeUndefined();
  return result.data!.logIn;
}

function refresh(refreshToken: string) {
  return graphql<{ refreshAccessToken: { token: string; refreshToken: string } }>(
    graph.gatewayUrl,
    operation('RefreshAccessToken'),
    { variables: { input: { refreshToken } } },
  );
}

/** Signs up a user, grants them the partner-key admin scope, and returns their new token. */
async function signUpAdmin(email: string): Promise<string> {
  const { userId } = await signUp(email);
  await graph.db
    .collection('users')
    .updateOne({ _id: userId as never }, { $set: { scopes: [ADMIN_SCOPE] } });
  return (await logIn(email)).token;
}

const CREATE_KEY = `mutation Create($input: CreatePartnerKeyInput!) {
  createPartnerKey(input: $input) {
    key
    partnerKey { id scopes rateTier safelistOnly revokedAt }
  }
}`;

async function createKey(
  adminToken: string,
  input: Record<string, unknown>,
): Promise<{ key: string; id: string }> {
  const result = await graphql<{
    createPartnerKey: { key: string; partnerKey: { id: string } };
  }>(graph.gatewayUrl, CREATE_KEY, { token: adminToken, variables: { input } });
  expect(result.errors).toBeUndefined();
  return {
    key: result.data!.createPartnerKey.key,
    id: result.data!.createPartnerKey.partnerKey.id,
  };
}

const TEMPLATES = '{ templates(first: 5) { edges { node { id title } } } }';

/** Returns how many GraphQL requests a subgraph has served, from its /metrics. */
async function graphqlRequestCount(subgraphUrl: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', subgraphUrl))).text();
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^heartfelt_http_requests_total\{[^}]*route="\/graphql"[^}]*\} (\d+)/.exec(line);
    if (match) total += Number(match[1]);
  }
  return total;
}

describe('refresh tokens', () => {
  it('rotate: the next refresh token works, and the access token is new', async () => {
    const session = await signUp('rotate@example.com');
    const first = await refresh(session.refreshToken);
    expect(first.errors).toBeUndefined();
    const rotated = first.data!.refreshAccessToken;
    expect(rotated.refreshToken).not.toBe(session.refreshToken);

    const me = await graphql<{ me: { id: string } }>(graph.gatewayUrl, '{ me { id } }', {
      token: rotated.token,
    });
    expect(me.data?.me.id).toBe(session.userId);

    const second = await refresh(rotated.refreshToken);
    expect(second.errors).toBeUndefined();
  });

  it('are stored only as hashes', async () => {
    const session = await signUp('hashed@example.com');
    const stored = await graph.db
      .collection('refresh_tokens')
      .find({ userId: session.userId })
      .toArray();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(session.refreshToken);
    expect(JSON.stringify(stored)).not.toContain(session.refreshToken.slice(3));
  });

  it('reused after rotation revoke the whole family', async () => {
    const session = await signUp('reuse@example.com');
    const rotated = await refresh(session.refreshToken);
    const next = rotated.data!.refreshAccessToken.refreshToken;

    // The attacker replays the stolen, already rotated token.
    const replay = await refresh(session.refreshToken);
    expect(replay.data).toBeNull();
    expect(replay.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    // The legitimate holder's newer token is revoked with its family.
    const legitimate = await refresh(next);
    expect(legitimate.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('used twice at once rotate only once', async () => {
    const session = await signUp('race@example.com');
    const results = await Promise.all([
      refresh(session.refreshToken),
      refresh(session.refreshToken),
    ]);
    const succeeded = results.filter((result) => result.errors === undefined);
    expect(succeeded).toHaveLength(1);
    for (const result of results) {
      if (result.errors) expect(result.errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('stop working after logOut', async () => {
    const session = await signUp('logout@example.com');
    const out = await graphql<{ logOut: boolean }>(graph.gatewayUrl, operation('LogOut'), {
      variables: { input: { refreshToken: session.refreshToken } },
    });
    expect(out.data?.logOut).toBe(true);
    const after = await refresh(session.refreshToken);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('that are made up get UNAUTHENTICATED', async () => {
    const guessed = await refresh(`rt_${'A'.repeat(43)}`);
    expect(guessed.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const malformed = await refresh('not-a-token');
    expect(malformed.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('come with an access token that expires in 15 minutes', async () => {
    const before = Date.now();
    const result = await graphql<{ logIn: { tokenExpiresAt: string } }>(
      graph.gatewayUrl,
      operation('LogIn'),
      { variables: { input: { email: 'rotate@example.com', password: PASSWORD } } },
    );
    const expiresAt = Date.parse(result.data!.logIn.tokenExpiresAt);
    expect(expiresAt - before).toBeGreaterThan(14 * 60 * 1000);
    expect(expiresAt - before).toBeLessThanOrEqual(15 * 60 * 1000 + 5000);
  });
});

describe('@authenticated', () => {
  it('rejects an anonymous caller before any subgraph is called', async () => {
    const cardsRequests = () => graphqlRequestCount(graph.subgraphUrls.cards);
    const before = await cardsRequests();
    const result = await graphql(graph.gatewayUrl, '{ card(id: "crd_x") { id } }');
    expect(await cardsRequests()).toBe(before);
    expect(result.status).toBe(401);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(result.errors?.[0]?.message).toContain('Query.card');

    // The same query with a token does reach the cards subgraph, so the count can move.
    const session = await signUp('counted@example.com');
    await graphql(graph.gatewayUrl, '{ card(id: "crd_x") { id } }', { token: session.token });
    expect(await cardsRequests()).toBeGreaterThan(before);
  });

  it('sees protected fields inside fragments and inline fragments', async () => {
    const viaFragment = await graphql(
      graph.gatewayUrl,
      'query { me { ...Mine } } fragment Mine on User { id contacts { id } }',
    );
    expect(viaFragment.status).toBe(401);
    expect(viaFragment.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(viaFragment.errors?.[0]?.message).toContain('User.contacts');

    const viaInline = await graphql(
      graph.gatewayUrl,
      'query { me { ... on User { cards(first: 1) { edges { node { id } } } } } }',
    );
    expect(viaInline.status).toBe(401);
    expect(viaInline.errors?.[0]?.message).toContain('User.cards');
  });

  it('rejects a protected mutation by an anonymous caller', async () => {
    const result = await graphql(
      graph.gatewayUrl,
      'mutation { createCard(input: { templateId: "tpl_x", contactId: "ctc_x", message: "hi" }) { id } }',
    );
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('lets a signed-in user through', async () => {
    const session = await signUp('authenticated@example.com');
    const result = await graphql<{ me: { contacts: unknown[] } }>(
      graph.gatewayUrl,
      'query { me { ...Mine } } fragment Mine on User { contacts { id } }',
      { token: session.token },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.me.contacts).toEqual([]);
  });

  it('leaves public fields open to anonymous callers', async () => {
    const result = await graphql(graph.gatewayUrl, TEMPLATES);
    expect(result.errors).toBeUndefined();
  });
});

describe('@requiresScopes', () => {
  it('rejects a signed-in user without the scope with FORBIDDEN', async () => {
    const session = await signUp('no-scope@example.com');
    const result = await graphql(graph.gatewayUrl, '{ partnerKeys { id } }', {
      token: session.token,
    });
    expect(result.status).toBe(403);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(result.errors?.[0]?.message).toContain(ADMIN_SCOPE);
  });

  it('rejects a scoped mutation without the scope, creating nothing', async () => {
    const session = await signUp('no-scope-create@example.com');
    const result = await graphql(graph.gatewayUrl, CREATE_KEY, {
      token: session.token,
      variables: { input: { name: 'sneaky', scopes: [ADMIN_SCOPE] } },
    });
    expect(result.status).toBe(403);
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await graph.db.collection('partner_keys').countDocuments({ name: 'sneaky' })).toBe(0);
  });

  it('lets a user with the scope through', async () => {
    const adminToken = await signUpAdmin('admin-list@example.com');
    const result = await graphql<{ partnerKeys: unknown[] }>(
      graph.gatewayUrl,
      '{ partnerKeys { id } }',
      { token: adminToken },
    );
    expect(result.errors).toBeUndefined();
    expect(Array.isArray(result.data?.partnerKeys)).toBe(true);
  });
});

describe('partner API keys', () => {
  let adminToken: string;

  beforeAll(async () => {
    adminToken = await signUpAdmin('admin@example.com');
  });

  it('are shown once and stored as a hash', async () => {
    const { key, id } = await createKey(adminToken, { name: 'Acme', rateTier: 'HIGH' });
    expect(key.startsWith(`${id}.`)).toBe(true);
    const stored = await graph.db.collection('partner_keys').findOne({ _id: id as never });
    expect(stored?.rateTier).toBe('high');
    expect(JSON.stringify(stored)).not.toContain(key.slice(id.length + 1));

    const listed = await graphql<{ partnerKeys: Array<Record<string, unknown>> }>(
      graph.gatewayUrl,
      '{ partnerKeys { id name } }',
      { token: adminToken },
    );
    expect(JSON.stringify(listed.data)).not.toContain(key.slice(id.length + 1));
  });

  it('work with the ApiKey scheme and with x-api-key', async () => {
    const { key } = await createKey(adminToken, { name: 'Both headers' });
    const viaScheme = await graphql(graph.gatewayUrl, TEMPLATES, {
      headers: { authorization: `ApiKey ${key}` },
    });
    expect(viaScheme.status).toBe(200);
    expect(viaScheme.errors).toBeUndefined();
    const viaHeader = await graphql(graph.gatewayUrl, TEMPLATES, { headers: { 'x-api-key': key } });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.errors).toBeUndefined();
  });

  it('with a wrong secret, unknown id or bad shape get 401', async () => {
    const { key, id } = await createKey(adminToken, { name: 'Wrong secret' });
    const wrongSecret = `${id}.${'B'.repeat(43)}`;
    expect(wrongSecret).not.toBe(key);
    for (const attempt of [wrongSecret, `pk_${'a'.repeat(16)}.${'C'.repeat(43)}`, 'hello']) {
      const result = await graphql(graph.gatewayUrl, TEMPLATES, {
        headers: { 'x-api-key': attempt },
      });
      expect({ attempt, status: result.status }).toEqual({ attempt, status: 401 });
      expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('with a bearer token at once get 401', async () => {
    const { key } = await createKey(adminToken, { name: 'Two credentials' });
    const result = await graphql(graph.gatewayUrl, TEMPLATES, {
      token: adminToken,
      headers: { 'x-api-key': key },
    });
    expect(result.status).toBe(401);
  });

  it('stop working as soon as they are revoked', async () => {
    const { key, id } = await createKey(adminToken, { name: 'Revoked' });
    // Warms the gateway's cache of the key.
    const before = await graphql(graph.gatewayUrl, TEMPLATES, { headers: { 'x-api-key': key } });
    expect(before.status).toBe(200);

    const revoked = await graphql<{ revokePartnerKey: { revokedAt: string | null } }>(
      graph.gatewayUrl,
      'mutation Revoke($id: ID!) { revokePartnerKey(id: $id) { revokedAt } }',
      { token: adminToken, variables: { id } },
    );
    expect(revoked.data?.revokePartnerKey.revokedAt).toEqual(expect.any(String));

    const after = await graphql(graph.gatewayUrl, TEMPLATES, { headers: { 'x-api-key': key } });
    expect(after.status).toBe(401);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('cannot read user data: @authenticated still applies', async () => {
    const { key } = await createKey(adminToken, { name: 'No user' });
    const result = await graphql(graph.gatewayUrl, '{ card(id: "crd_x") { id } }', {
      headers: { 'x-api-key': key },
    });
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('partner key checks in the users subgraph', () => {
  it('refuse a signed createPartnerKey without the scope', async () => {
    const session = await signUp('direct-create@example.com');
    const result = await graphql(graph.subgraphUrls.users, CREATE_KEY, {
      headers: { [GATEWAY_TOKEN_HEADER]: await gatewayTokenFor('users', session.userId) },
      variables: { input: { name: 'direct' } },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await graph.db.collection('partner_keys').countDocuments({ name: 'direct' })).toBe(0);
  });

  it('serve key records to the gateway only', async () => {
    const lookupUrl = new URL('/internal/partner-keys/lookup', graph.subgraphUrls.users);
    const lookup = (headers: Record<string, string>) =>
      fetch(lookupUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ keyId: `pk_${'a'.repeat(16)}` }),
      });
    expect((await lookup({})).status).toBe(401);
    const asUser = await gatewayTokenFor('users', 'usr_aaaaaaaaaaaaaaaaaaaa');
    expect((await lookup({ [GATEWAY_TOKEN_HEADER]: asUser })).status).toBe(403);
    const asGateway = await gatewayTokenFor('users', null);
    expect((await lookup({ [GATEWAY_TOKEN_HEADER]: asGateway })).status).toBe(404);

    // The gateway does not forward the route to clients.
    const viaGateway = await fetch(new URL('/internal/partner-keys/lookup', graph.gatewayUrl), {
      method: 'POST',
    });
    expect(viaGateway.status).toBe(404);
  });
});

describe('partner contract', () => {
  let partnerKey: string;
  let adminToken: string;

  beforeAll(async () => {
    adminToken = await signUpAdmin('contract-admin@example.com');
    // Even a key with the admin scope must not reach internal fields.
    partnerKey = (await createKey(adminToken, { name: 'Contract', scopes: [ADMIN_SCOPE] })).key;
  });

  it('rejects internal fields like unknown fields', async () => {
    const internal = await graphql(graph.gatewayUrl, '{ partnerKeys { id } }', {
      headers: { 'x-api-key': partnerKey },
    });
    const unknown = await graphql(graph.gatewayUrl, '{ noSuchField { id } }', {
      headers: { 'x-api-key': partnerKey },
    });
    expect(internal.status).toBe(400);
    expect(internal.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(unknown.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(internal.errors?.[0]?.message).toBe(
      unknown.errors?.[0]?.message.replace('noSuchField', 'partnerKeys'),
    );
  });

  it('rejects internal mutations for partners', async () => {
    const result = await graphql(graph.gatewayUrl, CREATE_KEY, {
      headers: { 'x-api-key': partnerKey },
      variables: { input: { name: 'from a partner' } },
    });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('hides internal fields and types from partner introspection', async () => {
    const query = `{
      __schema { types { name } mutationType { fields { name } } queryType { fields { name } } }
    }`;
    const partner = await graphql<{
      __schema: {
        types: Array<{ name: string }>;
        queryType: { fields: Array<{ name: string }> };
        mutationType: { fields: Array<{ name: string }> };
      };
    }>(graph.gatewayUrl, query, { headers: { 'x-api-key': partnerKey } });
    expect(partner.errors).toBeUndefined();
    const types = partner.data!.__schema.types.map((type) => type.name);
    const queries = partner.data!.__schema.queryType.fields.map((field) => field.name);
    const mutations = partner.data!.__schema.mutationType.fields.map((field) => field.name);
    expect(types).not.toContain('PartnerKey');
    expect(types).not.toContain('CreatePartnerKeyInput');
    expect(queries).not.toContain('partnerKeys');
    expect(mutations).not.toContain('createPartnerKey');
    expect(queries).toContain('templates');

    // A signed-in user still sees them, so the difference comes from the contract.
    const user = await graphql<typeof partner.data>(graph.gatewayUrl, query, { token: adminToken });
    expect(user.data!.__schema.queryType.fields.map((field) => field.name)).toContain(
      'partnerKeys',
    );
  });

  it('hides @inaccessible fields from everyone', async () => {
    const result = await graphql(graph.gatewayUrl, '{ partnerKeys { createdBy } }', {
      token: adminToken,
    });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
