import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createCacheRedis, createLogger, type Redis } from '@heartfelt/kit';
import { findRepoRoot, graphql, startGraph, type TestGraph } from '@heartfelt/testkit';

const root = findRepoRoot();
const manifest = JSON.parse(
  readFileSync(join(root, 'schema', 'persisted-operations.json'), 'utf8'),
) as { operations: Array<{ id: string; name: string; body: string }> };
const browseTemplates = manifest.operations.find((entry) => entry.name === 'BrowseTemplates')!;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const APQ_TTL_SECONDS = 600;
const PARTNER_KEY_CACHE_TTL_SECONDS = 2;

let graph: TestGraph;
let redis: Redis;
let adminToken: string;

beforeAll(async () => {
  graph = await startGraph({
    subgraphs: ['users', 'templates'],
    env: {
      APQ_TTL_SECONDS: String(APQ_TTL_SECONDS),
      PARTNER_KEY_CACHE_TTL_SECONDS: String(PARTNER_KEY_CACHE_TTL_SECONDS),
    },
  });
  redis = createCacheRedis(graph.data.redisUrl, createLogger('test', 'silent'));
  await graph.db.collection('templates').insertOne({
    _id: 'tpl_ffffffffffffffffffff' as never,
    title: 'Fireworks',
    occasion: 'HOLIDAY',
    tags: [],
    artworkUrl: 'https://assets.heartfelt.example/templates/f.png',
    priceCents: 199,
    popularity: 1,
    createdAt: new Date(),
  });

  const signUp = await graphql<{ signUp: { user: { id: string } } }>(
    graph.gatewayUrl,
    'mutation { signUp(input: {email: "apq-admin@example.com", password: "correct horse battery", displayName: "A"}) { user { id } } }',
  );
  await graph.db
    .collection('users')
    .updateOne(
      { _id: signUp.data!.signUp.user.id as never },
      { $set: { scopes: ['admin:partner-keys'] } },
    );
  const logIn = await graphql<{ logIn: { token: string } }>(
    graph.gatewayUrl,
    'mutation { logIn(input: {email: "apq-admin@example.com", password: "correct horse battery"}) { token } }',
  );
  adminToken = logIn.data!.logIn.token;
});

afterAll(async () => {
  redis?.disconnect();
  await graph?.stop();
});

interface Body {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/** Posts a raw GraphQL request body, as an APQ client sends it. */
async function post(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(graph.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

async function createKey(safelistOnly: boolean): Promise<string> {
  const result = await graphql<{ createPartnerKey: { key: string } }>(
    graph.gatewayUrl,
    'mutation ($input: CreatePartnerKeyInput!) { createPartnerKey(input: $input) { key } }',
    { token: adminToken, variables: { input: { name: `safelist ${safelistOnly}`, safelistOnly } } },
  );
  expect(result.errors).toBeUndefined();
  return result.data!.createPartnerKey.key;
}

describe('automatic persisted queries', () => {
  const query = '{ templates(first: 2) { edges { node { id title } } } }';
  const hash = sha256(query);

  it('miss, register, then hit by hash alone', async () => {
    const miss = await post({ extensions: persisted(hash) });
    expect(miss.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');

    const register = await post({ query, extensions: persisted(hash) });
    expect(register.body.errors).toBeUndefined();

    const hit = await post({ extensions: persisted(hash) });
    expect(hit.body.errors).toBeUndefined();
    expect(hit.body.data).toEqual(register.body.data);
  });

  it('are kept in the cache Redis with a bounded TTL', async () => {
    await post({ query, extensions: persisted(hash) });
    const keys = await redis.keys('apq:*');
    expect(keys.some((key) => key.endsWith(hash))).toBe(true);
    const ttl = await redis.ttl(keys.find((key) => key.endsWith(hash))!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(APQ_TTL_SECONDS);
  });

  it('refuse a document that does not match its hash', async () => {
    const forged = await post({
      query: '{ templates(first: 50) { edges { node { id } } } }',
      extensions: persisted(hash),
    });
    expect(forged.status).toBe(400);
    expect(forged.body.data).toBeUndefined();
  });

  it('run manifest operations by id without registering them', async () => {
    const result = await post({
      extensions: persisted(browseTemplates.id),
      variables: { first: 1 },
    });
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data?.templates).toBeDefined();
  });
});

describe('safelist-only partner keys', () => {
  let safelistKey: string;
  let openKey: string;

  beforeAll(async () => {
    safelistKey = await createKey(true);
    openKey = await createKey(false);
  });

  it('reject an operation that is not in the manifest', async () => {
    const result = await post(
      { query: '{ templates(first: 100) { edges { node { id priceCents } } } }' },
      { 'x-api-key': safelistKey },
    );
    expect(result.status).toBe(403);
    expect(result.body.data).toBeUndefined();
    expect(result.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_SAFELIST');
  });

  it('reject an APQ registration of an unlisted operation, storing nothing', async () => {
    const query = '{ templates(first: 7) { edges { node { id } } } }';
    const result = await post(
      { query, extensions: persisted(sha256(query)) },
      { 'x-api-key': safelistKey },
    );
    expect(result.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_SAFELIST');
    const later = await post({ extensions: persisted(sha256(query)) });
    expect(later.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('run a manifest operation by id', async () => {
    const result = await post(
      { extensions: persisted(browseTemplates.id), variables: { first: 1 } },
      { 'x-api-key': safelistKey },
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data?.templates).toBeDefined();
  });

  it('run a manifest operation sent as its exact text', async () => {
    const result = await post(
      { query: browseTemplates.body, variables: { first: 1 } },
      { 'x-api-key': safelistKey },
    );
    expect(result.body.errors).toBeUndefined();
  });

  it('reject the manifest text with one character changed', async () => {
    const result = await post(
      { query: browseTemplates.body.replace('title', 'title ') },
      { 'x-api-key': safelistKey },
    );
    expect(result.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_SAFELIST');
  });

  it('leave keys without the flag free to send any operation', async () => {
    const result = await post(
      { query: '{ templates(first: 100) { edges { node { id priceCents } } } }' },
      { 'x-api-key': openKey },
    );
    expect(result.body.errors).toBeUndefined();
  });
});

describe('partner key cache', () => {
  it('lets a revocation it missed apply within its TTL', async () => {
    const key = await createKey(false);
    const query = { query: '{ templates(first: 1) { edges { node { id } } } }' };
    expect((await post(query, { 'x-api-key': key })).status).toBe(200);

    // Revoked in the store only, as when the users subgraph could not clear the cached record.
    const keyId = key.split('.')[0]!;
    await graph.db
      .collection('partner_keys')
      .updateOne({ _id: keyId as never }, { $set: { revokedAt: new Date() } });

    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (await post(query, { 'x-api-key': key })).status;
    }
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(PARTNER_KEY_CACHE_TTL_SECONDS * 1000 + 1000);
  });
});

describe('the safelist manifest', () => {
  it('lists each operation under its hash', () => {
    for (const entry of manifest.operations) {
      expect({ name: entry.name, id: sha256(entry.body) }).toEqual({
        name: entry.name,
        id: entry.id,
      });
    }
    const files = readdirSync(join(root, 'schema', 'operations'))
      .filter((file) => file.endsWith('.graphql'))
      .map((file) => file.replace(/\.graphql$/, ''))
      .sort();
    expect(manifest.operations.map((entry) => entry.name).sort()).toEqual(files);
  });
});
