// Tracing-cost benchmark: runs the same fixed operation mix through the gateway with autocannon
// against three graphs: tracing off, tracing on with every trace sampled, and tracing on at a
// production sample rate (parentbased_traceidratio, BENCH_SAMPLE_RATIO). The graphs run side by
// side and are measured in turns. Spans go to a local OTLP/HTTP receiver that counts and
// discards them. It prints requests per second, p50 and p99 latency of each configuration and
// their ratios to tracing off.
// Run after `npm run build`: npm run bench:tracing
// Settings: BENCH_ROUNDS (default 4), BENCH_SLICE_S (seconds per configuration and round,
// default 10), BENCH_CONNECTIONS (default 8), BENCH_SAMPLE_RATIO (default 0.05). Every server
// listens on 127.0.0.1 only.
import http from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BROWSE, CARD, DASHBOARD } from './lib/benchOperations.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const { startGraph, testSecrets, findRepoRoot } = require('@heartfelt/testkit');
const { issueAccessToken } = require('@heartfelt/kit');

const root = findRepoRoot();
const { seed } = require(join(root, 'tools', 'dist', 'seed.js'));

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const SLICE_S = Number(process.env.BENCH_SLICE_S ?? 10);
const WARMUP_S = 5;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const SAMPLE_RATIO = Number(process.env.BENCH_SAMPLE_RATIO ?? 0.05);
const SEED_SIZES = { users: 20, templatesPerOccasion: 10, cards: 400, demoCards: 20 };

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

/**
 * Graph starts tried per configuration, and the time each process gets to become ready: on a
 * busy machine a service can take longer than the tests' 30 s.
 */
const START_ATTEMPTS = 3;
const START_TIMEOUT_MS = 120_000;

async function startGraphWithRetries(env) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startGraph({ env, startTimeoutMs: START_TIMEOUT_MS });
    } catch (error) {
      if (attempt === START_ATTEMPTS) throw error;
      process.stderr.write(`graph start failed (attempt ${attempt}), retrying: ${error.message}\n`);
    }
  }
}

/** Starts, seeds and warms up the graph of one configuration. */
async function prepare(configuration, receiver) {
  process.stderr.write(`${configuration.name}: starting the graph\n`);
  const graph = await startGraphWithRetries({
    // The response cache would serve most of a fixed mix without reaching the subgraphs.
    RESPONSE_CACHE_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    ...configuration.env(receiver),
  });
  await seed(graph.db, SEED_SIZES);
  const requests = await operationMix(graph.db);
  await load(graph.gatewayUrl, requests, WARMUP_S);
  return { ...configuration, graph, requests, slices: [] };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
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

  // All three graphs run at once and are measured in turns, in a rotating order, so that a
  // change in the machine's load during the run affects every configuration alike.
  const prepared = [];
  try {
    for (const configuration of configurations) {
      prepared.push(await prepare(configuration, receiver));
    }
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let turn = 0; turn < prepared.length; turn += 1) {
        const run = prepared[(round + turn) % prepared.length];
        process.stderr.write(`round ${round + 1}/${ROUNDS}: ${run.name}\n`);
        const result = await load(run.graph.gatewayUrl, run.requests, SLICE_S);
        run.slices.push({
          requests: result.requests.total,
          seconds: result.duration,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          errors: result.errors + result.non2xx,
        });
      }
    }
  } finally {
    await Promise.all(prepared.map((run) => run.graph.stop()));
    await receiver.close();
  }

  const summaries = prepared.map((run) => ({
    name: run.name,
    requestsPerSecond:
      run.slices.reduce((sum, slice) => sum + slice.requests, 0) /
      run.slices.reduce((sum, slice) => sum + slice.seconds, 0),
    p50Ms: median(run.slices.map((slice) => slice.p50Ms)),
    p99Ms: median(run.slices.map((slice) => slice.p99Ms)),
    errors: run.slices.reduce((sum, slice) => sum + slice.errors, 0),
    roundsPerSecond: run.slices.map((slice) => (slice.requests / slice.seconds).toFixed(1)),
  }));
  const [off] = summaries;
  process.stdout.write(
    `${CONNECTIONS} connections; ${ROUNDS} rounds of ${SLICE_S} s per configuration, taken in turns; ` +
      `mix: Dashboard, template list, card detail; OTLP exports received: ${receiver.counts.exports}\n`,
  );
  for (const result of summaries) {
    const ratio = result.requestsPerSecond / off.requestsPerSecond;
    process.stdout.write(
      `${result.name}: ${result.requestsPerSecond.toFixed(1)} req/s, p50 ${result.p50Ms} ms, ` +
        `p99 ${result.p99Ms} ms (medians of the rounds), errors ${result.errors}; ` +
        `throughput ${(ratio * 100).toFixed(1)}% of tracing off ` +
        `(cost ${((1 - ratio) * 100).toFixed(1)}%), p50 x${(result.p50Ms / off.p50Ms).toFixed(2)}, ` +
        `p99 x${(result.p99Ms / off.p99Ms).toFixed(2)}; req/s by round ${result.roundsPerSecond.join(', ')}\n`,
    );
  }
  // Failed requests are cheap, so a run with errors measures the error path, not the graph.
  const failed = summaries.reduce((sum, result) => sum + result.errors, 0);
  if (failed > 0) {
    process.stderr.write(
      `${failed} requests failed (HTTP errors or non-2xx); the numbers above are not valid.\n`,
    );
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
