// Tracing-cost benchmark: runs the same fixed operation mix through the gateway with autocannon
// against three fresh graphs: tracing off, tracing on with every trace sampled, and tracing on
// at a production sample rate (parentbased_traceidratio, BENCH_SAMPLE_RATIO). Spans go to a
// local OTLP/HTTP receiver that counts and discards them. It prints requests per second, p50
// and p99 latency of each run and their ratios to the run with tracing off.
// Run after `npm run build`: npm run bench:tracing
// Settings: BENCH_DURATION_S (measured seconds per run, default 20), BENCH_CONNECTIONS (default
// 8), BENCH_SAMPLE_RATIO (default 0.05). Every server listens on 127.0.0.1 only.
import http from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const { startGraph, testSecrets, findRepoRoot } = require('@heartfelt/testkit');
const { issueAccessToken } = require('@heartfelt/kit');

const root = findRepoRoot();
const { seed } = require(join(root, 'tools', 'dist', 'seed.js'));

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 20);
const WARMUP_S = 5;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const SAMPLE_RATIO = Number(process.env.BENCH_SAMPLE_RATIO ?? 0.05);
const SEED_SIZES = { users: 20, templatesPerOccasion: 10, cards: 400, demoCards: 20 };

const DASHBOARD = `query Dashboard($first: Int) {
  me { displayName cards(first: $first) { edges { node {
    id status sendAt message
    template { title occasion priceCents }
    sentiment { label score }
    musicSuggestions { title artist }
    order { status amountCents }
  } } pageInfo { hasNextPage endCursor } } }
  templates(occasion: BIRTHDAY, first: 12) { edges { node { id title priceCents } } }
}`;
const BROWSE = `query Browse($occasion: Occasion, $first: Int) {
  templates(occasion: $occasion, first: $first) {
    edges { node { id title occasion tags artworkUrl priceCents } }
  }
}`;
const CARD = `query Card($id: ID!) {
  card(id: $id) { id status message template { title } order { status } }
}`;

/** Starts a receiver that accepts OTLP/HTTP exports on 127.0.0.1, counts them and discards them. */
async function startDiscardingReceiver() {
  const counts = { exports: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    req.on('data', (chunk) => {
      counts.bytes += chunk.length;
    });
    req.on('end', () => {
      counts.exports += 1;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    counts,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Runs autocannon for `seconds` with each connection cycling through the operation mix. */
function load(url, requests, seconds) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: seconds, requests }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

/** Builds the mix for one user: a Dashboard, a template list and a card detail. */
async function operationMix(db) {
  const user = await db.collection('users').findOne({ email: 'demo@heartfelt.test' });
  const card = await db.collection('cards').findOne({ ownerId: user._id });
  const token = await issueAccessToken(user._id, testSecrets.JWT_SECRET, 3600);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const post = (query, variables) => ({
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  return [
    post(DASHBOARD, { first: 10 }),
    post(BROWSE, { occasion: 'BIRTHDAY', first: 12 }),
    post(CARD, { id: card._id }),
  ];
}

async function measure(configuration, receiver) {
  const graph = await startGraph({
    // The response cache would serve most of a fixed mix without reaching the subgraphs.
    env: { RESPONSE_CACHE_ENABLED: 'false', LOG_LEVEL: 'warn', ...configuration.env(receiver) },
  });
  try {
    await seed(graph.db, SEED_SIZES);
    const requests = await operationMix(graph.db);
    await load(graph.gatewayUrl, requests, WARMUP_S);
    const exportsBefore = receiver.counts.exports;
    const result = await load(graph.gatewayUrl, requests, DURATION_S);
    return {
      name: configuration.name,
      requestsPerSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors + result.non2xx,
      exports: receiver.counts.exports - exportsBefore,
    };
  } finally {
    await graph.stop();
  }
}

async function main() {
  const receiver = await startDiscardingReceiver();
  const traced = (sampler, ratio) => (target) => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: target.url,
    OTEL_TRACES_SAMPLER: sampler,
    ...(ratio === undefined ? {} : { OTEL_TRACES_SAMPLER_ARG: String(ratio) }),
  });
  const configurations = [
    { name: 'tracing off', env: () => ({}) },
    { name: 'tracing on, 100% sampled', env: traced('parentbased_always_on') },
    {
      name: `tracing on, ${SAMPLE_RATIO * 100}% sampled`,
      env: traced('parentbased_traceidratio', SAMPLE_RATIO),
    },
  ];
  const results = [];
  try {
    for (const configuration of configurations) {
      results.push(await measure(configuration, receiver));
    }
  } finally {
    await receiver.close();
  }

  const [off] = results;
  process.stdout.write(
    `${CONNECTIONS} connections, ${WARMUP_S} s warm-up, ${DURATION_S} s measured per run; mix: Dashboard, template list, card detail\n`,
  );
  for (const result of results) {
    const ratio = result.requestsPerSecond / off.requestsPerSecond;
    process.stdout.write(
      `${result.name}: ${result.requestsPerSecond.toFixed(1)} req/s, p50 ${result.p50Ms} ms, ` +
        `p99 ${result.p99Ms} ms, errors ${result.errors}, OTLP exports ${result.exports}; ` +
        `throughput ${(ratio * 100).toFixed(1)}% of tracing off ` +
        `(cost ${((1 - ratio) * 100).toFixed(1)}%), p50 x${(result.p50Ms / off.p50Ms).toFixed(2)}, ` +
        `p99 x${(result.p99Ms / off.p99Ms).toFixed(2)}\n`,
    );
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
