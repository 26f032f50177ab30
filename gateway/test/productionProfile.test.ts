import { graphql, startGraph, type TestGraph } from '@heartfelt/testkit';

// The gateway as it runs in production: no introspection, no suggestions, no explorer.
let graph: TestGraph;

beforeAll(async () => {
  graph = await startGraph({ env: { NODE_ENV: 'production' } });
});

afterAll(async () => {
  await graph?.stop();
});

const SIGN_UP = 'mutation ($input: SignUpInput!) { signUp(input: $input) { token } }';
const signUpInput = (email: string) => ({
  input: { email, password: 'correct horse battery', displayName: 'P' },
});

/** Posts a raw body with the given headers and returns the status, headers and text. */
async function post(body: string, headers: Record<string, string>) {
  const response = await fetch(graph.gatewayUrl, { method: 'POST', headers, body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('GraphQL over HTTP', () => {
  it('never runs a mutation sent with GET', async () => {
    const usersBefore = await graph.db.collection('users').countDocuments();
    const url = new URL(graph.gatewayUrl);
    url.searchParams.set('query', SIGN_UP);
    url.searchParams.set('variables', JSON.stringify(signUpInput('get@example.com')));
    const response = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await graph.db.collection('users').countDocuments()).toBe(usersBefore);
  });

  it('rejects a GET without a preflight header', async () => {
    const url = new URL(graph.gatewayUrl);
    url.searchParams.set('query', '{ __typename }');
    const response = await fetch(url);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/cross-site request forgery/i);
  });

  it('rejects a cross-site form post', async () => {
    const usersBefore = await graph.db.collection('users').countDocuments();
    const result = await post(
      JSON.stringify({ query: SIGN_UP, variables: signUpInput('form@example.com') }),
      { 'content-type': 'text/plain' },
    );
    expect(result.status).toBe(400);
    expect(result.text).toMatch(/cross-site request forgery/i);
    expect(await graph.db.collection('users').countDocuments()).toBe(usersBefore);
  });

  it('rejects batched operations', async () => {
    const body = JSON.stringify(Array.from({ length: 100 }, () => ({ query: '{ __typename }' })));
    const result = await post(body, { 'content-type': 'application/json' });
    expect(result.status).toBe(400);
    expect(result.text).toMatch(/batching/i);
  });

  it('rejects a body over MAX_BODY_BYTES with 413', async () => {
    const query = `{ __typename }${' '.repeat(1024 * 1024)}`;
    const result = await post(JSON.stringify({ query }), { 'content-type': 'application/json' });
    expect(result.status).toBe(413);
    expect(JSON.parse(result.text).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers graphql-response+json with 400 for invalid documents', async () => {
    const result = await post(JSON.stringify({ query: '{ nope }' }), {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
    });
    expect(result.status).toBe(400);
    expect(result.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    expect(JSON.parse(result.text).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('answers application/json with 200 for invalid documents', async () => {
    const result = await post(JSON.stringify({ query: '{ nope' }), {
      'content-type': 'application/json',
      accept: 'application/json',
    });
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(result.text).errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});

describe('production profile', () => {
  it.each([
    ['__schema', '{ __schema { types { name } } }'],
    ['__type', '{ __type(name: "User") { fields { name } } }'],
  ])('rejects introspection through %s', async (_name, query) => {
    const result = await graphql(graph.gatewayUrl, query);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it.each([
    ['a field', '{ templatez(first: 1) { edges { node { id } } } }'],
    ['an argument', '{ templates(frist: 1) { edges { node { id } } } }'],
    ['an enum value', '{ templates(first: 1, occasion: BIRTHDY) { edges { node { id } } } }'],
    ['an input field', 'mutation { logIn(input: { emial: "a@b.co", password: "x" }) { token } }'],
  ])('gives no suggestions for a misspelled %s', async (_name, query) => {
    const result = await graphql(graph.gatewayUrl, query);
    expect(result.status).toBe(400);
    expect(result.errors?.length).toBeGreaterThan(0);
    for (const error of result.errors ?? []) {
      expect(error.message).not.toMatch(/did you mean/i);
    }
  });

  it('ignores X-Forwarded-For from clients', async () => {
    // No proxy is trusted by default, so both requests draw on the budget of 127.0.0.1.
    const remainingFrom = async (address: string) => {
      const result = await graphql(graph.gatewayUrl, '{ __typename }', {
        headers: { 'x-forwarded-for': address },
      });
      return (result.extensions?.cost as { remaining: number }).remaining;
    };
    const first = await remainingFrom('203.0.113.1');
    const second = await remainingFrom('203.0.113.2');
    expect(second).toBe(first - 1);
  });

  it('serves no explorer', async () => {
    const html = { accept: 'text/html' };
    const root = await fetch(new URL('/', graph.gatewayUrl), { headers: html });
    const endpoint = await fetch(graph.gatewayUrl, { headers: html });
    const script = await fetch(new URL('/explorer/graphiql.js', graph.gatewayUrl));
    expect(root.status).toBe(404);
    expect(endpoint.headers.get('content-type')).not.toMatch(/text\/html/);
    expect(await endpoint.text()).not.toMatch(/graphiql/i);
    expect(script.status).toBe(404);
  });
});

describe('error masking', () => {
  /** Text of the errors without their paths, which name the fields of the client's own query. */
  const errorText = (errors: unknown[] | undefined) =>
    JSON.stringify((errors ?? []).map((error) => ({ ...(error as object), path: undefined })));

  it('hides a stopped subgraph behind DEPENDENCY_FAILED', async () => {
    const port = new URL(graph.subgraphUrls.templates).port;
    await graph.processes.templates!.stop();
    const result = await graphql(
      graph.gatewayUrl,
      '{ templates(first: 2) { edges { node { id title } } } }',
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('DEPENDENCY_FAILED');
    const text = errorText(result.errors);
    for (const leak of ['templates', 'serviceName', '127.0.0.1', port, 'ECONNREFUSED', 'stack']) {
      expect(text).not.toContain(leak);
    }
  });

  it('masks a store failure and logs it once with the trace id', async () => {
    await graph.data.ferretdb.stop();
    const result = await graphql(graph.gatewayUrl, SIGN_UP, {
      variables: signUpInput('masked@example.com'),
    });
    const error = result.errors?.[0];
    expect(error?.message).toBe('Internal server error.');
    expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const traceId = String(error?.extensions?.traceId);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const text = errorText(result.errors);
    for (const leak of ['Mongo', 'users', 'serviceName', '127.0.0.1', 'stack', 'signUp(']) {
      expect(text).not.toContain(leak);
    }
    const logged = (output: string) => output.split(traceId).length - 1;
    expect(logged(graph.processes.users!.outputTail())).toBe(1);
    expect(logged(graph.processes.gateway!.outputTail())).toBe(0);
  });
});
