import {
  graphql,
  startGraph,
  storeCommandCount,
  type GraphQLResult,
  type TestGraph,
} from '@heartfelt/testkit';

// Budgets small enough to exhaust in a few requests. One trusted proxy hop lets each test
// stand for a different client address through X-Forwarded-For.
const env = {
  TRUST_PROXY_HOPS: '1',
  RATE_LIMIT_IP_COST: '300',
  RATE_LIMIT_TIER_COSTS: 'user=200,standard=1000,high=5000',
  RATE_LIMIT_WINDOW_SECONDS: '60',
  LOGIN_MAX_CONSECUTIVE_FAILURES: '3',
  LOGIN_LOCKOUT_SECONDS: '2',
  LOGIN_MAX_ATTEMPTS_PER_IP: '10',
};
const TEMPLATES = '{ templates(first: 5) { edges { node { id title } } } }';
const LOG_IN = 'mutation ($input: LogInInput!) { logIn(input: $input) { token } }';
const PASSWORD = 'correct horse battery';

let graph: TestGraph;

beforeAll(async () => {
  graph = await startGraph({ env });
  // The gateway fails open while its rate-limit Redis connects, which a loaded machine can
  // stretch past the gateway's start. Wait until a request from a spare address is charged.
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const probe = await graphql(graph.gatewayUrl, '{ __typename }', from('192.0.2.250'));
    if (costOf(probe)?.remaining !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});

afterAll(async () => {
  await graph?.stop();
});

interface Cost {
  charged: number;
  remaining: number | null;
  limit: number;
  resetSeconds: number;
}

const costOf = (result: GraphQLResult) => result.extensions?.cost as Cost | undefined;

const from = (address: string, token?: string) => ({
  headers: { 'x-forwarded-for': address },
  ...(token ? { token } : {}),
});

async function signUp(email: string, address: string): Promise<string> {
  const result = await graphql<{ signUp: { token: string } }>(
    graph.gatewayUrl,
    'mutation ($input: SignUpInput!) { signUp(input: $input) { token } }',
    { variables: { input: { email, password: PASSWORD, displayName: 'R' } }, ...from(address) },
  );
  return result.data!.signUp.token;
}

/** Sends `query` until it is throttled, at most `maxRequests` times, and returns the results. */
async function sendUntilThrottled(
  query: string,
  options: ReturnType<typeof from>,
  maxRequests = 20,
): Promise<GraphQLResult[]> {
  const results: GraphQLResult[] = [];
  for (let sent = 0; sent < maxRequests; sent += 1) {
    const result = await graphql(graph.gatewayUrl, query, options);
    results.push(result);
    if (result.status === 429) break;
  }
  return results;
}

describe('cost rate limit', () => {
  it('reports the charged cost and the remaining budget', async () => {
    const first = await graphql(graph.gatewayUrl, TEMPLATES, from('198.51.100.1'));
    const second = await graphql(graph.gatewayUrl, TEMPLATES, from('198.51.100.1'));
    expect(first.status).toBe(200);
    expect(costOf(first)?.charged).toBeGreaterThan(1);
    expect(costOf(first)?.limit).toBe(300);
    expect(costOf(first)?.remaining).toBe(300 - costOf(first)!.charged);
    expect(costOf(second)?.remaining).toBe(300 - 2 * costOf(first)!.charged);
    expect(costOf(first)?.resetSeconds).toBeGreaterThan(0);
    expect(costOf(first)?.resetSeconds).toBeLessThanOrEqual(60);
  });

  it('charges page sizes given as variables', async () => {
    const literal = await graphql(graph.gatewayUrl, TEMPLATES, from('198.51.100.7'));
    const variable = await graphql(
      graph.gatewayUrl,
      'query ($n: Int!) { templates(first: $n) { edges { node { id title } } } }',
      { variables: { n: 5 }, ...from('198.51.100.7') },
    );
    const defaulted = await graphql(
      graph.gatewayUrl,
      'query ($n: Int! = 5) { templates(first: $n) { edges { node { id title } } } }',
      from('198.51.100.7'),
    );
    expect(costOf(variable)?.charged).toBe(costOf(literal)?.charged);
    expect(costOf(defaulted)?.charged).toBe(costOf(literal)?.charged);
  });

  it('throttles an address with 429 and Retry-After', async () => {
    const finds = () => storeCommandCount(graph.subgraphUrls.templates, { command: 'find' });
    const results = await sendUntilThrottled(TEMPLATES, from('198.51.100.2'));
    const throttled = results[results.length - 1]!;
    expect(throttled.status).toBe(429);
    expect(throttled.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(throttled.errors?.[0]?.message).toMatch(/Rate limit exceeded/);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(costOf(throttled)?.charged).toBe(0);
    expect(costOf(throttled)?.remaining).toBeLessThan(costOf(results[0]!)!.charged);
    expect(throttled.data).toBeUndefined();

    // Throttled requests are neither run nor charged.
    const findsBefore = await finds();
    const again = await graphql(graph.gatewayUrl, TEMPLATES, from('198.51.100.2'));
    expect(again.status).toBe(429);
    expect(costOf(again)?.remaining).toBe(costOf(throttled)?.remaining);
    expect(await finds()).toBe(findsBefore);
  });

  it('keeps other addresses served', async () => {
    await sendUntilThrottled(TEMPLATES, from('198.51.100.3'));
    const other = await graphql(graph.gatewayUrl, TEMPLATES, from('198.51.100.4'));
    expect(other.status).toBe(200);
    expect(costOf(other)?.remaining).toBe(300 - costOf(other)!.charged);
  });

  it('charges a signed-in user by user budget', async () => {
    const heavy = await signUp('heavy@example.com', '198.51.100.5');
    const light = await signUp('light@example.com', '198.51.100.5');
    const results = await sendUntilThrottled(TEMPLATES, from('198.51.100.5', heavy));
    const throttled = results[results.length - 1]!;
    expect(throttled.status).toBe(429);
    expect(costOf(throttled)?.limit).toBe(200);

    // The same address still has budget left for another user.
    const other = await graphql(graph.gatewayUrl, '{ __typename }', from('198.51.100.5', light));
    expect(other.status).toBe(200);
    expect(costOf(other)?.charged).toBe(1);
  });

  it('ignores X-Forwarded-For entries a client adds', async () => {
    // With one trusted hop only the last entry counts: a spoofed first entry changes nothing.
    await sendUntilThrottled(TEMPLATES, from('198.51.100.6'));
    const spoofed = await graphql(graph.gatewayUrl, TEMPLATES, from('10.9.9.9, 198.51.100.6'));
    expect(spoofed.status).toBe(429);
  });
});

describe('partner key budgets', () => {
  const CREATE_KEY = `mutation ($input: CreatePartnerKeyInput!) {
    createPartnerKey(input: $input) { key }
  }`;

  /** Creates a partner key of `rateTier` through an admin user, and returns the key. */
  async function createKey(rateTier: 'STANDARD' | 'HIGH', address: string): Promise<string> {
    const email = `admin-${rateTier.toLowerCase()}-${Date.now()}@heartfelt.test`;
    await signUp(email, address);
    await graph.db
      .collection('users')
      .updateOne({ email }, { $set: { scopes: ['admin:partner-keys'] } });
    const logIn = await graphql<{ logIn: { token: string } }>(graph.gatewayUrl, LOG_IN, {
      variables: { input: { email, password: PASSWORD } },
      ...from(address),
    });
    const created = await graphql<{ createPartnerKey: { key: string } }>(
      graph.gatewayUrl,
      CREATE_KEY,
      {
        variables: { input: { name: `Partner ${rateTier}`, scopes: [], rateTier } },
        ...from(address, logIn.data!.logIn.token),
      },
    );
    expect(created.errors).toBeUndefined();
    return created.data!.createPartnerKey.key;
  }

  const asPartner = (key: string, address: string) => ({
    headers: { 'x-forwarded-for': address, authorization: `ApiKey ${key}` },
  });

  it('charges each key by its tier budget', async () => {
    const standard = await createKey('STANDARD', '198.51.100.30');
    const high = await createKey('HIGH', '198.51.100.31');
    const fromStandard = await graphql(
      graph.gatewayUrl,
      TEMPLATES,
      asPartner(standard, '198.51.100.32'),
    );
    const fromHigh = await graphql(graph.gatewayUrl, TEMPLATES, asPartner(high, '198.51.100.32'));
    expect(fromStandard.status).toBe(200);
    expect(costOf(fromStandard)?.limit).toBe(1000);
    expect(fromHigh.status).toBe(200);
    expect(costOf(fromHigh)?.limit).toBe(5000);
  });

  it('throttles one key and not another', async () => {
    const first = await createKey('STANDARD', '198.51.100.33');
    const second = await createKey('STANDARD', '198.51.100.34');
    const results = await sendUntilThrottled(TEMPLATES, asPartner(first, '198.51.100.35'), 200);
    const throttled = results[results.length - 1]!;
    expect(throttled.status).toBe(429);
    expect(throttled.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);

    const other = await graphql(graph.gatewayUrl, TEMPLATES, asPartner(second, '198.51.100.35'));
    expect(other.status).toBe(200);
    expect(costOf(other)?.limit).toBe(1000);
  });

  it('ignores the address budget for partner keys', async () => {
    const key = await createKey('STANDARD', '198.51.100.36');
    const anonymous = await sendUntilThrottled(TEMPLATES, from('198.51.100.37'));
    expect(anonymous[anonymous.length - 1]!.status).toBe(429);

    const partner = await graphql(graph.gatewayUrl, TEMPLATES, asPartner(key, '198.51.100.37'));
    expect(partner.status).toBe(200);
    expect(costOf(partner)?.limit).toBe(1000);
  });
});

describe('logIn protection', () => {
  const logIn = (email: string, password: string, address: string) =>
    graphql<{ logIn: { token: string } | null }>(graph.gatewayUrl, LOG_IN, {
      variables: { input: { email, password } },
      ...from(address),
    });

  it('rejects 50 aliased logIn fields', async () => {
    const fields = Array.from(
      { length: 50 },
      (_unused, index) =>
        `a${index}: logIn(input: { email: "victim@example.com", password: "guess${index}" }) { token }`,
    );
    const result = await graphql(
      graph.gatewayUrl,
      `mutation { ${fields.join(' ')} }`,
      from('198.51.100.20'),
    );
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0]?.message).toMatch(/Aliases limit of 15/);
  });

  it('rejects two aliased logIn fields', async () => {
    const emailFinds = () => storeCommandCount(graph.subgraphUrls.users, { collection: 'emails' });
    const before = await emailFinds();
    const result = await graphql(
      graph.gatewayUrl,
      `
        mutation {
          a: logIn(input: { email: "victim@example.com", password: "guess 1" }) {
            token
          }
          b: logIn(input: { email: "victim@example.com", password: "guess 2" }) {
            token
          }
        }
      `,
      from('198.51.100.20'),
    );
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/one logIn field; this one contains 2/);
    expect(await emailFinds()).toBe(before);
  });

  it('rejects two logIn fields spread from fragments', async () => {
    const result = await graphql(
      graph.gatewayUrl,
      `
        mutation {
          ...A
          ...B
        }
        fragment A on Mutation {
          a: logIn(input: { email: "v@example.com", password: "1" }) {
            token
          }
        }
        fragment B on Mutation {
          b: logIn(input: { email: "v@example.com", password: "2" }) {
            token
          }
        }
      `,
      from('198.51.100.21'),
    );
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toMatch(/this one contains 2/);
  });

  it('locks an email out after consecutive failures, doubling', async () => {
    const address = '198.51.100.22';
    await signUp('target@example.com', address);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const failed = await logIn('target@example.com', `wrong ${attempt}`, address);
      expect(failed.errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
    }
    // Even the right password is rejected during the lockout, with a case change too.
    const locked = await logIn('Target@Example.com', PASSWORD, address);
    expect(locked.status).toBe(429);
    expect(locked.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(locked.headers.get('retry-after')).toBe('2');

    await new Promise((resolve) => setTimeout(resolve, 2100));
    const allowed = await logIn('target@example.com', PASSWORD, address);
    expect(allowed.data?.logIn?.token).toEqual(expect.any(String));

    // The success cleared the count: three more failures, then a lockout twice as long.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const failed = await logIn('target@example.com', `wrong again ${attempt}`, address);
      expect(failed.errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
    }
    const lockedAgain = await logIn('target@example.com', PASSWORD, address);
    expect(lockedAgain.status).toBe(429);
    expect(lockedAgain.headers.get('retry-after')).toBe('4');
  });

  it('limits attempts per address across emails', async () => {
    const results = [];
    for (let attempt = 0; attempt < 11; attempt += 1) {
      results.push(await logIn(`spray${attempt}@example.com`, 'password1', '198.51.100.23'));
    }
    expect(results.slice(0, 10).map((result) => result.status)).toEqual(Array(10).fill(200));
    expect(results[10]!.status).toBe(429);
    expect(results[10]!.errors?.[0]?.message).toMatch(/from this address/);
  });
});

describe('rate-limit store outage', () => {
  beforeAll(async () => {
    await signUp('outage@example.com', '198.51.100.31');
  });

  it('serves requests uncharged while Redis is down', async () => {
    await graph.data.redis.stop();
    const result = await graphql(graph.gatewayUrl, TEMPLATES, from('198.51.100.30'));
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ templates: { edges: [] } });
    expect(costOf(result)?.charged).toBe(0);
    expect(costOf(result)?.remaining).toBeNull();
    const metrics = await (await fetch(new URL('/metrics', graph.gatewayUrl))).text();
    expect(metrics).toMatch(
      /heartfelt_rate_limit_store_errors_total\{[^}]*limit="cost"[^}]*\} [1-9]/,
    );
  });

  it('lets logIn through while Redis is down', async () => {
    const result = await graphql<{ logIn: { token: string } }>(graph.gatewayUrl, LOG_IN, {
      variables: { input: { email: 'outage@example.com', password: PASSWORD } },
      ...from('198.51.100.31'),
    });
    expect(result.status).toBe(200);
    expect(result.data?.logIn.token).toEqual(expect.any(String));
    const metrics = await (await fetch(new URL('/metrics', graph.gatewayUrl))).text();
    expect(metrics).toMatch(
      /heartfelt_rate_limit_store_errors_total\{[^}]*limit="login"[^}]*\} [1-9]/,
    );
  });
});
