import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis, type ListeningProcess } from '@heartfelt/devstack';
import { findRepoRoot, graphql, startGraph, type TestGraph } from '@heartfelt/testkit';

const root = findRepoRoot();
const operation = (name: string) =>
  readFileSync(join(root, 'schema', 'operations', `${name}.graphql`), 'utf8');

const TEMPLATE_ID = 'tpl_oooooooooooooooooooo';
const TEMPLATE_QUERY = 'query ($id: ID!) { template(id: $id) { id title } }';
const OUTAGE_LOG = 'cache Redis unavailable';
let graph: TestGraph;
let restartedRedis: ListeningProcess | undefined;
let restartDir: string | undefined;

beforeAll(async () => {
  // The gateway's response cache is off, so that every request reaches the entity cache.
  graph = await startGraph({ env: { RESPONSE_CACHE_ENABLED: 'false' } });
  await graph.db.collection('templates').insertOne({
    _id: TEMPLATE_ID as never,
    title: 'Outage',
    occasion: 'BIRTHDAY',
    tags: [],
    artworkUrl: `https://assets.heartfelt.example/templates/${TEMPLATE_ID}.png`,
    priceCents: 400,
    popularity: 1,
    createdAt: new Date(),
  });
});

afterAll(async () => {
  await restartedRedis?.stop();
  if (restartDir) await rm(restartDir, { recursive: true, force: true });
  await graph?.stop();
});

/** Reads `heartfelt_entity_cache_requests_total{result="hit"}` of the templates subgraph. */
async function templateCacheHits(): Promise<number> {
  const text = await (await fetch(new URL('/metrics', graph.subgraphUrls.templates))).text();
  let hits = 0;
  for (const line of text.split('\n')) {
    const match = /^heartfelt_entity_cache_requests_total\{([^}]*)\} (\d+)/.exec(line);
    if (match && match[1]!.includes('result="hit"')) hits += Number(match[2]);
  }
  return hits;
}

const outageLines = (service: ListeningProcess) =>
  service
    .outputTail()
    .split('\n')
    .filter((line) => line.includes(OUTAGE_LOG)).length;

describe('cache Redis outage', () => {
  it('serves every request and uses the cache again after a restart', async () => {
    const signUp = await graphql<{ signUp: { token: string } }>(
      graph.gatewayUrl,
      operation('SignUp'),
      {
        variables: {
          input: {
            email: 'outage@example.com',
            password: 'correct horse battery',
            displayName: 'O',
          },
        },
      },
    );
    expect(signUp.errors).toBeUndefined();
    const token = signUp.data!.signUp.token;
    const redisPort = Number(new URL(graph.data.redisUrl).port);

    await graph.data.redis.stop();
    const failures: unknown[] = [];
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const dashboard = await graphql(graph.gatewayUrl, operation('Dashboard'), { token });
      const template = await graphql<{ template: { title: string } | null }>(
        graph.gatewayUrl,
        TEMPLATE_QUERY,
        { token, variables: { id: TEMPLATE_ID } },
      );
      if (dashboard.errors) failures.push(dashboard.errors);
      if (template.errors || template.data?.template?.title !== 'Outage') {
        failures.push(template.errors ?? template.data);
      }
    }
    expect(failures).toEqual([]);
    expect(outageLines(graph.processes.templates!)).toBe(1);
    expect(outageLines(graph.processes.cards!)).toBe(1);

    restartDir = await mkdtemp(join(tmpdir(), 'hf-cache-restart-'));
    restartedRedis = await startRedis({ port: redisPort, dataDir: restartDir, role: 'cache' });
    // The client retries every 2 s at most; allow 10 s for it to reconnect and a read to hit.
    const hitsBefore = await templateCacheHits();
    let hitsAfter = hitsBefore;
    for (let attempt = 0; attempt < 50 && hitsAfter <= hitsBefore; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const result = await graphql(graph.gatewayUrl, TEMPLATE_QUERY, {
        token,
        variables: { id: TEMPLATE_ID },
      });
      expect(result.errors).toBeUndefined();
      hitsAfter = await templateCacheHits();
    }
    expect(hitsAfter).toBeGreaterThan(hitsBefore);
  });
});
