import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  findRepoRoot,
  gatewayTokenFor,
  graphql,
  startGraph,
  type TestGraph,
} from '@heartfelt/testkit';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlpReceiver';

const root = findRepoRoot();
const operation = (name: string) =>
  readFileSync(join(root, 'schema', 'operations', `${name}.graphql`), 'utf8');

const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789';
const TEMPLATE_ID = 'tpl_tttttttttttttttttttt';
const EMAIL = 'tracing-user@example.com';
const MESSAGE = 'Happy birthday, Bo! Traced with love.';
/** The resolver made slow by fault injection, and by how much. */
const SLOW_RESOLVER = 'Template.title';
const SLOW_RESOLVER_DELAY_MS = 250;

const SpanKind = { Internal: 1, Server: 2, Client: 3, Producer: 4, Consumer: 5 } as const;

const outboxDir = mkdtempSync(join(tmpdir(), 'heartfelt-tracing-'));
let receiver: OtlpReceiver;
let graph: TestGraph;
let token: string;
let cardId: string;

/** Returns a new W3C traceparent header value and its trace and parent span ids. */
function newTraceparent(): { header: string; traceId: string; parentId: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { header: `00-${traceId}-${parentId}-01`, traceId, parentId };
}

function spansOf(traceId: string): ReceivedSpan[] {
  return receiver.spans.filter((span) => span.traceId === traceId);
}

/** Polls `check` every 100 ms until it returns true, for at most `timeoutMs`. */
async function waitFor(description: string, check: () => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the spans of a trace stop arriving: no new one for a second. */
async function settledSpansOf(traceId: string, expectedService: string): Promise<ReceivedSpan[]> {
  await waitFor(`spans of ${expectedService} in trace ${traceId}`, () =>
    spansOf(traceId).some((span) => span.service === expectedService),
  );
  let count = -1;
  for (let round = 0; round < 20 && count !== spansOf(traceId).length; round++) {
    count = spansOf(traceId).length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return spansOf(traceId);
}

async function send<Data>(query: string, variables: Record<string, unknown>, headers = {}) {
  const result = await graphql<Data>(graph.gatewayUrl, query, { token, variables, headers });
  expect(result.errors).toBeUndefined();
  return result.data!;
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  graph = await startGraph({
    workers: ['cards', 'payments'],
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      ADMIN_TOKEN,
      FAULT_RESOLVER_DELAY_MS: `${SLOW_RESOLVER}=${SLOW_RESOLVER_DELAY_MS}`,
      OUTBOX_DIR: outboxDir,
    },
  });
  await graph.db.collection('templates').insertOne({
    _id: TEMPLATE_ID as never,
    title: 'Lantern',
    occasion: 'BIRTHDAY',
    tags: [],
    artworkUrl: 'https://assets.heartfelt.example/templates/t.png',
    priceCents: 449,
    popularity: 10,
    createdAt: new Date(),
  });

  const signUp = await graphql<{ signUp: { token: string } }>(
    graph.gatewayUrl,
    operation('SignUp'),
    { variables: { input: { email: EMAIL, password: 'correct horse battery', displayName: 'T' } } },
  );
  token = signUp.data!.signUp.token;
  const contact = await send<{ addContact: { id: string } }>(operation('AddContact'), {
    input: {
      name: 'Bo',
      relationship: 'friend',
      birthday: '1990-05-01',
      timeZone: 'Europe/Paris',
      email: 'bo@example.com',
    },
  });
  const card = await send<{ createCard: { id: string } }>(operation('CreateCard'), {
    input: { templateId: TEMPLATE_ID, contactId: contact.addContact.id, message: MESSAGE },
  });
  cardId = card.createCard.id;
  const checkout = await send<{ checkout: { order: { status: string } } }>(operation('Checkout'), {
    input: { cardId, paymentToken: 'tok_ok', idempotencyKey: 'tracing-checkout' },
  });
  expect(checkout.checkout.order.status).toBe('PAID');
});

afterAll(async () => {
  await graph?.stop();
  await receiver?.close();
  rmSync(outboxDir, { recursive: true, force: true });
});

describe('Dashboard trace', () => {
  const client = newTraceparent();
  let spans: ReceivedSpan[];

  beforeAll(async () => {
    await send(operation('Dashboard'), {}, { traceparent: client.header });
    spans = await settledSpansOf(client.traceId, 'payments');
  });

  it('keeps the client trace id', () => {
    const root = spans.find((span) => span.service === 'gateway' && span.kind === SpanKind.Server);
    expect(root).toBeDefined();
    expect(root!.parentSpanId).toBe(client.parentId);
  });

  it('spans every subgraph the Dashboard reaches', () => {
    const services = new Set(spans.map((span) => span.service));
    for (const service of ['gateway', 'users', 'cards', 'templates', 'ai', 'payments']) {
      expect(services).toContain(service);
    }
  });

  it('links every span to a parent in the trace', () => {
    const ids = new Set(spans.map((span) => span.spanId));
    const orphans = spans.filter(
      (span) => span.parentSpanId !== client.parentId && !ids.has(span.parentSpanId ?? ''),
    );
    expect(orphans.map((span) => `${span.service} ${span.name}`)).toEqual([]);
  });

  it('contains the gateway request, plan and fetch spans', () => {
    const names = spans.filter((span) => span.service === 'gateway').map((span) => span.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'query Dashboard',
        'gateway.request',
        'gateway.plan',
        'gateway.fetch',
      ]),
    );
  });

  it('parents each subgraph request on a gateway fetch', () => {
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const subgraphServers = spans.filter(
      (span) => span.service !== 'gateway' && span.kind === SpanKind.Server,
    );
    expect(subgraphServers.length).toBeGreaterThanOrEqual(5);
    for (const server of subgraphServers) {
      const client = byId.get(server.parentSpanId ?? '');
      expect(client?.service).toBe('gateway');
      expect(client?.kind).toBe(SpanKind.Client);
      expect(byId.get(client?.parentSpanId ?? '')?.name).toBe('gateway.fetch');
    }
  });

  it('records store commands with the shard-key verdict', () => {
    const cardReads = spans.filter(
      (span) => span.service === 'cards' && span.attributes['db.collection.name'] === 'cards',
    );
    expect(cardReads.length).toBeGreaterThan(0);
    for (const span of cardReads) {
      expect(span.attributes['db.system.name']).toBe('mongodb');
      expect(span.attributes['heartfelt.store.shard_key_targeted']).toBe(true);
    }
    const templateReads = spans.filter(
      (span) => span.attributes['db.collection.name'] === 'templates',
    );
    for (const span of templateReads) {
      expect(span.attributes['heartfelt.store.shard_targeting']).toBe('unchecked');
    }
  });

  it('records Redis commands and DataLoader batches', () => {
    const redis = spans.filter((span) => span.scope.includes('instrumentation-ioredis'));
    expect(redis.length).toBeGreaterThan(0);
    const batches = spans.filter((span) => span.name.startsWith('dataloader.batch '));
    expect(batches.length).toBeGreaterThan(0);
    for (const batch of batches) {
      expect(batch.attributes['heartfelt.loader.batch_size']).toBeGreaterThan(0);
    }
  });

  it('records no email, message or variables', () => {
    const values = JSON.stringify(spans.map((span) => span.attributes));
    expect(values).not.toContain(EMAIL);
    expect(values).not.toContain('Traced with love');
    expect(values).not.toContain('graphql.document');
  });

  it('records no client address on server spans', () => {
    const servers = spans.filter((span) => span.kind === SpanKind.Server);
    expect(servers.length).toBeGreaterThan(0);
    for (const server of servers) {
      expect(server.attributes['client.address']).toBeUndefined();
      expect(server.attributes['network.peer.address']).toBeUndefined();
    }
  });
});

describe('scheduleCard trace', () => {
  it('runs the delivery job in the request trace', async () => {
    const client = newTraceparent();
    const sendAt = new Date(Date.now() + 1000).toISOString();
    await send(operation('ScheduleCard'), { id: cardId, sendAt }, { traceparent: client.header });
    const spans = await settledSpansOf(client.traceId, 'cards-worker');

    const enqueue = spans.find((span) => span.name === 'send delivery');
    expect(enqueue?.service).toBe('cards');
    expect(enqueue?.kind).toBe(SpanKind.Producer);
    const processing = spans.find((span) => span.name === 'process delivery');
    expect(processing?.service).toBe('cards-worker');
    expect(processing?.kind).toBe(SpanKind.Consumer);
    expect(processing?.parentSpanId).toBe(enqueue?.spanId);
    expect(processing?.links).toEqual([{ traceId: client.traceId, spanId: enqueue?.spanId }]);

    // The worker's store commands belong to the job's span tree.
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const workerStore = spans.filter(
      (span) => span.service === 'cards-worker' && span.attributes['db.system.name'] === 'mongodb',
    );
    expect(workerStore.length).toBeGreaterThan(0);
    for (const span of workerStore) {
      let ancestor = byId.get(span.parentSpanId ?? '');
      while (ancestor && ancestor !== processing) ancestor = byId.get(ancestor.parentSpanId ?? '');
      expect(ancestor).toBe(processing);
    }
  });
});

describe('resolver spans', () => {
  it('stay few for a list of 1,000 items', async () => {
    const client = newTraceparent();
    const representations = Array.from({ length: 1000 }, (_unused, index) => ({
      __typename: 'Card',
      id: `crd_list${String(index).padStart(16, '0')}`,
      message: `Message number ${index}`,
    }));
    const result = await graphql<{ _entities: Array<{ sentiment: { label: string } }> }>(
      graph.subgraphUrls.ai,
      'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Card { sentiment { label } } } }',
      {
        variables: { representations },
        headers: {
          'x-heartfelt-gateway-token': await gatewayTokenFor('ai', null),
          traceparent: client.header,
        },
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities).toHaveLength(1000);

    const spans = await settledSpansOf(client.traceId, 'ai');
    // The operation, its HTTP request, one resolver span, an MGET and the first 20 of the
    // 1,000 SETs that cache the analyses.
    expect(spans.length).toBeLessThan(40);
    const sentiment = spans.filter((span) => span.name === 'resolve Card.sentiment');
    expect(sentiment).toHaveLength(1);
    expect(sentiment[0]!.attributes['heartfelt.resolver.calls']).toBe(1000);
    const dropped = spans.map((span) =>
      Number(span.attributes['heartfelt.database_spans.dropped'] ?? 0),
    );
    expect(Math.max(...dropped)).toBeGreaterThanOrEqual(900);
  });
});

describe('slow-resolver report', () => {
  const reportUrl = () => new URL('/admin/slow-resolvers?minutes=5', graph.gatewayUrl);

  it('rejects a request without the admin token', async () => {
    const response = await fetch(reportUrl());
    expect(response.status).toBe(401);
  });

  it('names the resolver made slow', async () => {
    for (let request = 0; request < 3; request++) {
      const client = newTraceparent();
      await send(operation('Dashboard'), {}, { traceparent: client.header });
    }

    let rows: Array<Record<string, unknown>> = [];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const response = await fetch(reportUrl(), {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(response.status).toBe(200);
      rows = ((await response.json()) as { resolvers: typeof rows }).resolvers;
      const row = rows.find((candidate) => candidate.resolver === SLOW_RESOLVER);
      if (row && Number(row.count) >= 3) break;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const slowest = rows.find((row) => row.resolver === SLOW_RESOLVER);
    expect(slowest).toBeDefined();
    expect(slowest!.service).toBe('templates');
    expect(Number(slowest!.count)).toBeGreaterThanOrEqual(3);
    // A timer can fire a fraction of a millisecond before the span clock reaches its delay.
    expect(slowest!.p50Ms).toBeGreaterThanOrEqual(SLOW_RESOLVER_DELAY_MS - 1);
    expect(slowest!.p95Ms).toBeGreaterThanOrEqual(SLOW_RESOLVER_DELAY_MS - 1);
    expect(slowest!.slowestTraceId).toMatch(/^[0-9a-f]{32}$/);
    expect(receiver.spans.map((span) => span.traceId)).toContain(slowest!.slowestTraceId);
  });

  it('is printed by the command-line report', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(root, 'tools', 'dist', 'slowResolvers.js'), '--minutes', '5'],
      { env: { ...process.env, REDIS_URL: graph.data.redisUrl }, timeout: 20_000 },
    );
    const lines = stdout.split('\n');
    expect(lines[1]).toMatch(/^resolver\s+service\s+count\s+p50 ms\s+p95 ms/);
    const row = lines.find((line) => line.startsWith(`${SLOW_RESOLVER} `));
    expect(row).toMatch(/^\S+\s+templates\s+\d+\s+\d+\.\d\s+\d+\.\d\s+\d+\.\d\s+[0-9a-f]{32}$/);
  });
});
