import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkMetricsText, ensurePromtool } from '@heartfelt/devstack';
import {
  findRepoRoot,
  gatewayTokenFor,
  graphql,
  startGraph,
  workerSubgraphs,
  type TestGraph,
} from '@heartfelt/testkit';

// One graph with every worker, the admin token set and debug logs, driven through sign-up,
// log-in, a card's checkout, the Dashboard, a catalogue query and a message generation. Then:
// every process's /metrics passes promtool, the metrics name what happened, no log line contains
// the password, address or tokens, and explain mode works only with the admin token.

const root = findRepoRoot();
const operation = (name: string) =>
  readFileSync(join(root, 'schema', 'operations', `${name}.graphql`), 'utf8');

const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789';
const EMAIL = 'grace.hopper@example.com';
const PASSWORD = 'cobol-compiler-1952';
const TEMPLATE_ID = 'tpl_oooooooooooooooooooo';

let graph: TestGraph;
let promtool: string;
let accessToken: string;
const output = new Map<string, string[]>();

const explainHeaders = { 'x-heartfelt-explain': '1', 'x-heartfelt-admin-token': ADMIN_TOKEN };

async function metricsOf(processName: string): Promise<string> {
  const service = graph.processes[processName as keyof TestGraph['processes']]!;
  const response = await fetch(new URL('/metrics', service.url));
  expect(response.status).toBe(200);
  return response.text();
}

/** Sums the samples of `name` whose labels include every pair of `labels`. */
function sampleSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) {
      total += Number(match[3]);
    }
  }
  return total;
}

function codeOf(result: { errors?: Array<{ extensions?: Record<string, unknown> }> }) {
  return result.errors?.[0]?.extensions?.code;
}

async function driveTraffic(): Promise<void> {
  const url = graph.gatewayUrl;
  const signUp = await graphql<{ signUp: { token: string } }>(url, operation('SignUp'), {
    variables: { input: { email: EMAIL, password: PASSWORD, displayName: 'Grace' } },
  });
  expect(signUp.errors).toBeUndefined();
  accessToken = signUp.data!.signUp.token;

  const again = await graphql(url, operation('SignUp'), {
    variables: { input: { email: EMAIL, password: PASSWORD, displayName: 'Grace' } },
  });
  expect(codeOf(again)).toBe('EMAIL_TAKEN');
  const wrong = await graphql(url, operation('LogIn'), {
    variables: { input: { email: EMAIL, password: `${PASSWORD}-wrong` } },
  });
  expect(codeOf(wrong)).toBe('INVALID_CREDENTIALS');
  const logIn = await graphql(url, operation('LogIn'), {
    variables: { input: { email: EMAIL, password: PASSWORD } },
  });
  expect(logIn.errors).toBeUndefined();

  const contact = await graphql<{ addContact: { id: string } }>(url, operation('AddContact'), {
    token: accessToken,
    variables: {
      input: {
        name: 'Bo',
        relationship: 'friend',
        birthday: '1990-05-01',
        timeZone: 'Europe/Paris',
        email: 'bo.recipient@example.com',
      },
    },
  });
  expect(contact.errors).toBeUndefined();
  const card = await graphql<{ createCard: { id: string } }>(url, operation('CreateCard'), {
    token: accessToken,
    variables: {
      input: {
        templateId: TEMPLATE_ID,
        contactId: contact.data!.addContact.id,
        message: 'Happy birthday, Bo!',
      },
    },
  });
  expect(card.errors).toBeUndefined();
  const checkout = await graphql(url, operation('Checkout'), {
    token: accessToken,
    variables: {
      input: {
        cardId: card.data!.createCard.id,
        paymentToken: 'tok_ok',
        idempotencyKey: 'order-observability-1',
      },
    },
  });
  expect(checkout.errors).toBeUndefined();

  for (let i = 0; i < 2; i += 1) {
    expect((await graphql(url, operation('Dashboard'), { token: accessToken })).errors).toBe(
      undefined,
    );
    const browse = await graphql(url, operation('BrowseTemplates'), {
      variables: { occasion: 'BIRTHDAY' },
    });
    expect(browse.errors).toBeUndefined();
  }

  const generation = await graphql<{ generateMessage: { id: string } }>(
    url,
    operation('GenerateMessage'),
    {
      token: accessToken,
      variables: { input: { occasion: 'BIRTHDAY', recipientName: 'Bo', relationship: 'friend' } },
    },
  );
  expect(generation.errors).toBeUndefined();
  const deadline = Date.now() + 30_000;
  let status = 'PENDING';
  while (status === 'PENDING' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const polled = await graphql<{ messageGeneration: { status: string } }>(
      url,
      'query Poll($id: ID!) { messageGeneration(id: $id) { status } }',
      { token: accessToken, variables: { id: generation.data!.generateMessage.id } },
    );
    status = polled.data?.messageGeneration.status ?? 'PENDING';
  }
  expect(status).toBe('COMPLETED');
}

beforeAll(async () => {
  // The first build of promtool downloads and compiles Prometheus's module (minutes).
  promtool = await ensurePromtool({ projectRoot: root });
  graph = await startGraph({
    workers: workerSubgraphs,
    env: { ADMIN_TOKEN, LOG_LEVEL: 'debug' },
    onOutput: (processName, line) => {
      const lines = output.get(processName) ?? [];
      lines.push(line);
      output.set(processName, lines);
    },
  });
  await graph.db.collection('templates').insertOne({
    _id: TEMPLATE_ID as never,
    title: 'Lighthouse',
    occasion: 'BIRTHDAY',
    tags: ['sea'],
    artworkUrl: 'https://assets.heartfelt.example/templates/o.png',
    priceCents: 399,
    popularity: 10,
    createdAt: new Date(),
  });
  await driveTraffic();
}, 20 * 60_000);

afterAll(async () => {
  await graph?.stop();
});

describe('metrics', () => {
  it('pass promtool check metrics on every process', async () => {
    const names = Object.keys(graph.processes);
    expect(names.sort()).toEqual(
      [
        'gateway',
        'users',
        'cards',
        'templates',
        'ai',
        'payments',
        ...workerSubgraphs.map((name) => `${name}-worker`),
      ].sort(),
    );
    for (const name of names) {
      const problems = await checkMetricsText(promtool, await metricsOf(name));
      expect({ process: name, problems }).toEqual({ process: name, problems: [] });
    }
  });

  it('count gateway operations, subgraph fetches, errors and response cache', async () => {
    const text = await metricsOf('gateway');
    const operations = (name: string) =>
      sampleSum(text, 'heartfelt_graphql_operation_duration_seconds_count', { operation: name });
    expect(operations('Dashboard')).toBe(2);
    expect(operations('LogIn')).toBe(2);
    for (const subgraph of ['users', 'cards', 'templates', 'ai', 'payments']) {
      const fetches = sampleSum(text, 'heartfelt_subgraph_fetch_duration_seconds_count', {
        subgraph,
        outcome: 'ok',
      });
      expect({ subgraph, fetched: fetches > 0 }).toEqual({ subgraph, fetched: true });
    }
    expect(sampleSum(text, 'heartfelt_graphql_errors_total', { code: 'EMAIL_TAKEN' })).toBe(1);
    expect(sampleSum(text, 'heartfelt_graphql_errors_total', { code: 'INVALID_CREDENTIALS' })).toBe(
      1,
    );
    expect(sampleSum(text, 'heartfelt_response_cache_requests_total', { result: 'hit' })).toBe(1);
    expect(
      sampleSum(text, 'heartfelt_response_cache_requests_total', { result: 'miss' }),
    ).toBeGreaterThan(0);
  });

  it('count resolvers, cache lookups, loader batches and the store pool', async () => {
    const text = await metricsOf('cards');
    expect(
      sampleSum(text, 'heartfelt_graphql_resolver_duration_seconds_count', {
        field: 'User.cards',
      }),
    ).toBe(2);
    expect(
      sampleSum(text, 'heartfelt_graphql_resolver_duration_seconds_count', {
        field: 'Mutation.createCard',
      }),
    ).toBe(1);
    // Fields read from the parent document are not timed.
    expect(
      sampleSum(text, 'heartfelt_graphql_resolver_duration_seconds_count', {
        field: 'Card.message',
      }),
    ).toBe(0);
    expect(sampleSum(text, 'heartfelt_dataloader_batch_size_count')).toBeGreaterThan(0);
    expect(sampleSum(text, 'heartfelt_entity_cache_requests_total')).toBeGreaterThan(0);
    expect(sampleSum(text, 'heartfelt_store_pool_max_connections')).toBe(50);
    expect(sampleSum(text, 'heartfelt_store_pool_open_connections')).toBeGreaterThan(0);
    expect(sampleSum(text, 'heartfelt_store_pool_checkout_wait_seconds_count')).toBeGreaterThan(0);
  });

  it('count worker jobs and queue depth', async () => {
    const text = await metricsOf('ai-worker');
    expect(
      sampleSum(text, 'heartfelt_worker_jobs_total', {
        queue: 'ai-generation',
        outcome: 'completed',
      }),
    ).toBe(1);
    expect(
      sampleSum(text, 'heartfelt_queue_jobs', { queue: 'ai-generation', state: 'completed' }),
    ).toBe(1);
    expect(sampleSum(text, 'heartfelt_queue_jobs', { queue: 'reminders', state: 'failed' })).toBe(
      0,
    );
    expect(text).toContain('# TYPE heartfelt_worker_jobs_stalled_total counter');
  });

  it('keep the operation label bounded', async () => {
    for (let i = 0; i < 210; i += 1) {
      const result = await graphql(graph.gatewayUrl, `query Probe${i} { __typename }`);
      expect(result.errors).toBeUndefined();
    }
    const text = await metricsOf('gateway');
    const names = new Set(
      [
        ...text.matchAll(
          /^heartfelt_graphql_operation_duration_seconds_count\{[^}]*operation="(\w+)"/gm,
        ),
      ].map((match) => match[1]),
    );
    expect(names.size).toBeLessThanOrEqual(201);
    expect(names.has('other')).toBe(true);
    expect(
      sampleSum(text, 'heartfelt_graphql_operation_duration_seconds_count', { operation: 'other' }),
    ).toBeGreaterThan(0);
  });
});

describe('logs', () => {
  it('hold no password, address or token of any process', () => {
    const secrets = [PASSWORD, EMAIL, 'bo.recipient@example.com', accessToken, ADMIN_TOKEN];
    for (const [name, lines] of output) {
      const text = lines.join('\n');
      const found = secrets.filter((secret) => text.includes(secret));
      expect({ process: name, found }).toEqual({ process: name, found: [] });
    }
    expect(output.size).toBe(Object.keys(graph.processes).length);
  });

  it('name the operation and subgraph of each request', () => {
    const records = (name: string) =>
      (output.get(name) ?? []).flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
    const served = (name: string) =>
      records(name).filter((record) => record.msg === 'served a GraphQL request');

    expect(served('gateway').some((record) => record.operation === 'Dashboard')).toBe(true);
    const cards = served('cards');
    expect(cards.length).toBeGreaterThan(0);
    expect(cards.every((record) => record.subgraph === 'cards')).toBe(true);
    expect(cards.some((record) => /^Dashboard__cards__\d+$/.test(String(record.operation)))).toBe(
      true,
    );
    // Every line of every process is a JSON record with a pino level.
    for (const [name, lines] of output) {
      const unparsed = lines.filter((line) => {
        try {
          return typeof (JSON.parse(line) as { level?: unknown }).level !== 'number';
        } catch {
          return true;
        }
      });
      expect({ process: name, unparsed }).toEqual({ process: name, unparsed: [] });
    }
  });
});

interface Explain {
  queryPlan: { kind: string } | null;
  responseCache: string;
  fetches: Array<{
    subgraph: string;
    durationMs: number;
    outcome: string;
    cache?: Record<string, { hits: number; misses: number; errors: number }>;
    storeCommands?: Array<{
      collection: string;
      command: string;
      shardKey: string | null;
      targeting: string;
      count: number;
    }>;
  }>;
}

describe('explain mode', () => {
  it('returns plan, fetches, cache and shard routing with the admin token', async () => {
    const result = await graphql(graph.gatewayUrl, operation('Dashboard'), {
      token: accessToken,
      variables: { first: 7 },
      headers: explainHeaders,
    });
    expect(result.errors).toBeUndefined();
    const explain = result.extensions?.explain as Explain;
    expect(explain.responseCache).toBe('miss');
    expect(JSON.stringify(explain.queryPlan)).toContain('"serviceName":"cards"');
    // The Dashboard's two root fields, me and templates, are planned in parallel.
    expect(explain.queryPlan?.kind).toBe('Parallel');

    const cards = explain.fetches.find((fetch) => fetch.subgraph === 'cards');
    expect(cards?.outcome).toBe('ok');
    expect(cards?.durationMs).toBeGreaterThan(0);
    expect(cards?.storeCommands).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          collection: 'cards',
          command: 'find',
          shardKey: 'ownerId',
          targeting: 'targeted',
        }),
      ]),
    );
    const subgraphs = new Set(explain.fetches.map((fetch) => fetch.subgraph));
    expect([...subgraphs].sort()).toEqual(['ai', 'cards', 'payments', 'templates', 'users']);
    const lookups = (subgraph: string, entity: string) =>
      explain.fetches
        .filter((fetch) => fetch.subgraph === subgraph)
        .map((fetch) => fetch.cache?.[entity])
        .find((entry) => entry !== undefined);
    // The earlier Dashboards cached this catalogue page; no card page was read with first: 7.
    expect(lookups('templates', 'template-page')).toEqual({ hits: 1, misses: 0, errors: 0 });
    expect(lookups('cards', 'card-page')).toEqual({ hits: 0, misses: 1, errors: 0 });
  });

  it('reports a response cache hit without fetches', async () => {
    const browse = () =>
      graphql(graph.gatewayUrl, operation('BrowseTemplates'), {
        variables: { occasion: 'BIRTHDAY', first: 3 },
        headers: explainHeaders,
      });
    const first = (await browse()).extensions?.explain as Explain;
    expect(first.responseCache).toBe('miss');
    expect(first.fetches.map((fetch) => fetch.subgraph)).toEqual(['templates']);
    expect(first.fetches[0]!.storeCommands).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          collection: 'templates',
          shardKey: null,
          targeting: 'unchecked',
        }),
      ]),
    );
    const second = (await browse()).extensions?.explain as Explain;
    expect(second.responseCache).toBe('hit');
    expect(second.fetches).toEqual([]);
  });

  it('ignores the header without the right admin token', async () => {
    const cases: Array<Record<string, string>> = [
      { 'x-heartfelt-explain': '1' },
      { 'x-heartfelt-explain': '1', 'x-heartfelt-admin-token': `${ADMIN_TOKEN}x` },
    ];
    for (const headers of cases) {
      const result = await graphql(graph.gatewayUrl, operation('BrowseTemplates'), {
        variables: { occasion: 'BIRTHDAY', first: 4 },
        headers,
      });
      expect(result.status).toBe(200);
      expect(result.errors).toBeUndefined();
      expect(result.extensions?.explain).toBeUndefined();
    }
  });

  it('keeps subgraph facts from requests the gateway did not sign for explain', async () => {
    const result = await graphql(
      graph.subgraphUrls.templates,
      '{ templates(first: 2) { edges { node { id } } } }',
      {
        headers: {
          'x-heartfelt-gateway-token': await gatewayTokenFor('templates', null),
          'x-heartfelt-explain': '1',
          'x-heartfelt-admin-token': ADMIN_TOKEN,
        },
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.extensions?.explain).toBeUndefined();
  });
});
