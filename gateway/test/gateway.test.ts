import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot, graphql, startGraph, type TestGraph } from '@heartfelt/testkit';

const root = findRepoRoot();
const folder = mkdtempSync(join(tmpdir(), 'heartfelt-supergraph-'));
const supergraphPath = join(folder, 'supergraph.graphql');
copyFileSync(join(root, 'schema', 'supergraph.graphql'), supergraphPath);

let graph: TestGraph;

beforeAll(async () => {
  graph = await startGraph({ subgraphs: ['templates'], env: { SUPERGRAPH_PATH: supergraphPath } });
  await graph.db.collection('templates').insertOne({
    _id: 'tpl_aaaaaaaaaaaaaaaaaaaa' as never,
    title: 'Confetti',
    occasion: 'BIRTHDAY',
    tags: ['party'],
    artworkUrl: 'https://assets.heartfelt.example/templates/a.png',
    priceCents: 399,
    popularity: 10,
    createdAt: new Date(),
  });
});

afterAll(async () => {
  await graph?.stop();
  rmSync(folder, { recursive: true, force: true });
});

const templatesQuery = '{ templates(first: 5) { edges { node { id title priceCents } } } }';

/** Polls until `check` passes or the time runs out; the gateway polls the file every 200 ms. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

describe('gateway', () => {
  it('serves a query planned over the supergraph', async () => {
    const result = await graphql(graph.gatewayUrl, templatesQuery);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      templates: {
        edges: [{ node: { id: 'tpl_aaaaaaaaaaaaaaaaaaaa', title: 'Confetti', priceCents: 399 } }],
      },
    });
  });

  it('rejects an invalid bearer token with 401', async () => {
    const result = await graphql(graph.gatewayUrl, '{ me { id } }', { token: 'not-a-token' });
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('reports an unreachable subgraph without naming it', async () => {
    // The users subgraph is not running in this file, so `me` cannot be fetched.
    const result = await graphql(graph.gatewayUrl, '{ me { id } }');
    const error = result.errors?.[0];
    expect(error?.extensions?.code).toBe('DEPENDENCY_FAILED');
    expect(JSON.stringify(result.errors)).not.toMatch(/users|127\.0\.0\.1|ECONNREFUSED/);
  });

  it('keeps the old supergraph when the new file is invalid', async () => {
    writeFileSync(supergraphPath, 'this is not a supergraph');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const result = await graphql(graph.gatewayUrl, templatesQuery);
    expect(result.errors).toBeUndefined();
    expect(result.data?.templates).toBeDefined();
  });

  it('reloads a changed supergraph without restarting', async () => {
    const original = readFileSync(join(root, 'schema', 'supergraph.graphql'), 'utf8');
    const changed = original.replace(
      '"""The catalogue, most popular first, optionally of one occasion."""',
      '"""Reloaded catalogue description."""',
    );
    expect(changed).not.toBe(original);
    writeFileSync(supergraphPath, changed);

    const describe = '{ __schema { queryType { fields { name description } } } }';
    const reloaded = await eventually(async () => {
      const result = await graphql<{
        __schema: { queryType: { fields: Array<{ name: string; description: string }> } };
      }>(graph.gatewayUrl, describe);
      const field = result.data?.__schema.queryType.fields.find(
        (entry) => entry.name === 'templates',
      );
      return field?.description === 'Reloaded catalogue description.';
    });
    expect(reloaded).toBe(true);
  });

  it('serves the explorer with no external scripts', async () => {
    const response = await fetch(graph.gatewayUrl, { headers: { accept: 'text/html' } });
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('/explorer/graphiql.js');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);

    for (const asset of ['react.js', 'react-dom.js', 'graphiql.js', 'graphiql.css', 'start.js']) {
      const assetResponse = await fetch(new URL(`/explorer/${asset}`, graph.gatewayUrl));
      expect({ asset, status: assetResponse.status }).toEqual({ asset, status: 200 });
    }
  });

  it('reports ready and exposes metrics', async () => {
    const ready = await fetch(new URL('/readyz', graph.gatewayUrl));
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(new URL('/metrics', graph.gatewayUrl))).text();
    expect(metrics).toContain('heartfelt_http_requests_total');
  });
});
