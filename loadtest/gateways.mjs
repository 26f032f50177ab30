// Gateway benchmark: the same subgraphs, supergraph and operations through several gateways in
// one run, each gateway a process of its own on a loopback port.
//
// Contenders:
// - our gateway (gateway/dist/server.js), response cache off;
// - stock @apollo/gateway on @apollo/server with default settings;
// - Hive Gateway, with deduplication off and with its defaults;
// - the users subgraph called directly, for the single-subgraph operation only;
// - a bare node:http server that returns a body as large as our gateway's response.
//
// Every request carries a different client token from a pool (several tokens per seeded user,
// users taken in turn), so no gateway can answer two in-flight requests with one result. A
// separate run sends one token for every request, to show what Hive's deduplication gains.
//
// For each run it prints requests per second, p50/p99 latency, and CPU seconds per 1,000
// requests of the gateway process (utime + stime from /proc/<pid>/stat) and of the subgraphs.
// It writes docs/benchmarks/gateways.json, SVG charts and the tables in docs/benchmarks.md.
//
// Run after `npm run build`: npm run bench:gateways [-- --short] [-- --no-write]
//   [-- --contenders=ours,stock] [-- --operations=Dashboard] [-- --cpu-prof=FOLDER]
// An A/B of a change to our gateway: --variant-script=PATH/server.js (a copy of another build)
// and/or --variant-node-options="--flag" add the contender "ours-variant" to the same run.
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { writeReport } from './gatewayReport.mjs';

const require = createRequire(import.meta.url);
const { startGraph, testSecrets, findRepoRoot } = require('@heartfelt/testkit');
const {
  ensureFerretDB,
  findFreePort,
  spawnManaged,
  startFerretDB,
  startPostgres,
} = require('@heartfelt/devstack');
const { MongoClient } = require('mongodb');
const { issueAccessToken, signGatewayToken, GATEWAY_TOKEN_HEADER } = require('@heartfelt/kit');

const root = findRepoRoot();
const { seed } = require(join(root, 'tools', 'dist', 'seed.js'));

const { values: args } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    contenders: { type: 'string' },
    operations: { type: 'string' },
    'cpu-prof': { type: 'string' },
    'variant-script': { type: 'string' },
    'variant-node-options': { type: 'string' },
  },
});

/** Run lengths in seconds, and load settings. */
const WARMUP_SECONDS = args.short ? 2 : 5;
const MEASURE_SECONDS = args.short ? 3 : 6;
/**
 * Measured windows per contender and operation, taken in turn across contenders. Many short
 * windows average out the other load on a shared machine better than a few long ones.
 */
const ROUNDS = args.short ? 4 : 6;
const CONNECTIONS = 16;
const USERS = 100;
const CARDS_PER_USER = 50;
const TOKENS_PER_USER = 10;
const CLOCK_TICKS_PER_SECOND = 100;

const operations = [
  {
    name: 'Profile',
    label: 'single subgraph (users)',
    singleSubgraph: 'users',
    query: readFileSync(new URL('./operations/Profile.graphql', import.meta.url), 'utf8'),
  },
  {
    name: 'Dashboard',
    label: 'Dashboard (five subgraphs)',
    query: readFileSync(join(root, 'schema', 'operations', 'Dashboard.graphql'), 'utf8'),
    variables: { first: 20 },
  },
  {
    name: 'Heavy',
    label: 'heavy nested (about 88 KB)',
    query: readFileSync(new URL('./operations/Heavy.graphql', import.meta.url), 'utf8'),
  },
].filter((operation) => !args.operations || args.operations.split(',').includes(operation.name));

const contenderDefinitions = [
  { id: 'ours', label: 'our gateway' },
  { id: 'stock', label: 'stock @apollo/gateway', script: 'contenders/stockGateway.mjs' },
  {
    id: 'hive-nodedup',
    label: 'Hive Gateway, deduplication off',
    script: 'contenders/hiveGateway.mjs',
    env: { HIVE_DEDUPLICATION: 'false' },
  },
  {
    id: 'hive',
    label: 'Hive Gateway, defaults',
    script: 'contenders/hiveGateway.mjs',
    env: { HIVE_DEDUPLICATION: 'true' },
  },
  ...(args['variant-script'] || args['variant-node-options']
    ? [
        {
          id: 'ours-variant',
          label: 'our gateway, variant',
          script: args['variant-script'] ?? join(root, 'gateway', 'dist', 'server.js'),
          env: {
            RESPONSE_CACHE_ENABLED: 'false',
            LOG_LEVEL: 'warn',
            NODE_OPTIONS: args['variant-node-options'] ?? '',
          },
        },
      ]
    : []),
  { id: 'direct', label: 'subgraph called directly' },
  { id: 'bare', label: 'bare node:http server', script: 'contenders/bareServer.mjs' },
].filter((contender) => !args.contenders || args.contenders.split(',').includes(contender.id));

/** Returns utime + stime of a process in seconds. */
function cpuSecondsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Starts FerretDB on a private PostgreSQL. The testkit's store is FerretDB on SQLite, which
 * reads whole collections for most queries and would be the bottleneck of every run.
 */
async function startStore() {
  const dataDir = await mkdtemp(join(tmpdir(), 'heartfelt-bench-'));
  // When this runs as root, PostgreSQL runs as the postgres user, which must reach its folder.
  await chmod(dataDir, 0o755);
  const postgres = await startPostgres({
    port: await findFreePort(),
    dataDir: join(dataDir, 'pg'),
  });
  const ferretdb = await startFerretDB({
    binary: await ensureFerretDB({ projectRoot: root }),
    port: await findFreePort(),
    dataDir: join(dataDir, 'ferretdb'),
    postgresqlUrl: postgres.url,
  });
  return {
    url: ferretdb.url,
    pids: [postgres.pid, ferretdb.pid],
    async stop() {
      await ferretdb.stop();
      await postgres.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls a GraphQL endpoint until `{ __typename }` returns 200, for at most `timeoutMs`. */
async function waitForGraphQL(url, headers, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ __typename }' }),
        signal: AbortSignal.timeout(1000),
      });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} did not return 200 within ${timeoutMs} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Starts one contender script on a free port and waits until it serves GraphQL. */
async function startContender(contender, graph) {
  const port = await findFreePort();
  const managed = await spawnManaged({
    name: contender.id,
    command: process.execPath,
    args: [
      contender.script.startsWith('/')
        ? contender.script
        : join(root, 'loadtest', contender.script),
    ],
    env: {
      ...process.env,
      ...testSecrets,
      APOLLO_TELEMETRY_DISABLED: 'true',
      NODE_ENV: 'production',
      PORT: String(port),
      SUPERGRAPH_PATH: join(root, 'schema', 'supergraph.graphql'),
      USERS_URL: graph.subgraphUrls.users,
      CARDS_URL: graph.subgraphUrls.cards,
      TEMPLATES_URL: graph.subgraphUrls.templates,
      AI_URL: graph.subgraphUrls.ai,
      PAYMENTS_URL: graph.subgraphUrls.payments,
      ...contender.env,
    },
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  if (contender.id === 'bare') {
    await waitForGraphQL(url, {});
  } else {
    await waitForGraphQL(url, { 'apollo-require-preflight': 'true' });
  }
  return { process: managed, url };
}

/** Issues the pools of client tokens and of signed tokens for calling a subgraph directly. */
async function issueTokens(db) {
  const users = await db.collection('users').find({}).sort({ _id: 1 }).toArray();
  const clientTokens = [];
  const directTokens = [];
  for (let copy = 0; copy < TOKENS_PER_USER; copy += 1) {
    for (const user of users.slice(1)) {
      // Different lifetimes make different tokens for the same user.
      clientTokens.push(await issueAccessToken(user._id, testSecrets.JWT_SECRET, 7200 + copy));
      directTokens.push(
        await signGatewayToken(
          { userId: user._id },
          'users',
          testSecrets.SUBGRAPH_SIGNING_SECRET,
          7200 + copy,
        ),
      );
    }
  }
  return { clientTokens, directTokens };
}

/** Sends one operation and returns the parsed body with its size in bytes. */
async function sendOnce(url, operation, headers) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: operation.query, variables: operation.variables ?? {} }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`${url} returned HTTP ${response.status}: ${text.slice(0, 300)}`);
  }
  return { body: JSON.parse(text), bytes: Buffer.byteLength(text) };
}

/** Returns the request headers and URL for one contender and one operation. */
function targetFor(contender, operation, tokens, bodyBytes) {
  if (contender.id === 'direct') {
    return { url: contender.url, header: GATEWAY_TOKEN_HEADER, tokens: tokens.directTokens };
  }
  if (contender.id === 'bare') {
    return {
      url: `${contender.url}?bytes=${bodyBytes[operation.name]}`,
      header: 'authorization',
      tokens: tokens.clientTokens.map((token) => `Bearer ${token}`),
    };
  }
  return {
    url: contender.url,
    header: 'authorization',
    tokens: tokens.clientTokens.map((token) => `Bearer ${token}`),
  };
}

/** Runs autocannon for `seconds`, rotating the tokens so that consecutive requests differ. */
async function load(target, operation, seconds) {
  let next = 0;
  const body = JSON.stringify({ query: operation.query, variables: operation.variables ?? {} });
  const result = await autocannon({
    url: target.url,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    requests: [
      {
        setupRequest(request) {
          const token = target.tokens[next % target.tokens.length];
          next += 1;
          return { ...request, headers: { ...request.headers, [target.header]: token } };
        },
      },
    ],
  });
  return result;
}

/** Returns the CPU seconds used so far by the contender's process and by the subgraphs. */
function cpuSnapshot(contender, graph) {
  const subgraphPids = Object.entries(graph.processes)
    .filter(([name]) => name !== 'gateway')
    .map(([, service]) => service.pid);
  return {
    gateway: contender.pid ? cpuSecondsOf(contender.pid) : 0,
    subgraphs: subgraphPids.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0),
  };
}

/** Runs one measured load window against one contender and returns its raw numbers. */
async function measureWindow(contender, operation, target, graph) {
  const before = cpuSnapshot(contender, graph);
  const result = await load(target, operation, MEASURE_SECONDS);
  const after = cpuSnapshot(contender, graph);
  return {
    requests: result.requests.total,
    failed: result.non2xx + result.errors + result.timeouts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    gatewayCpu: after.gateway - before.gateway,
    subgraphsCpu: after.subgraphs - before.subgraphs,
  };
}

/** Sums the windows of one contender and operation into one row. */
function summarize(contender, operation, windows) {
  const sum = (key) => windows.reduce((total, window) => total + window[key], 0);
  const requests = sum('requests');
  const p50s = windows.map((window) => window.p50Ms).sort((a, b) => a - b);
  return {
    contender: contender.id,
    operation: operation.name,
    requests,
    failed: sum('failed'),
    requestsPerSecond: requests / (MEASURE_SECONDS * windows.length),
    p50Ms: p50s[Math.floor(p50s.length / 2)],
    p99Ms: Math.max(...windows.map((window) => window.p99Ms)),
    gatewayCpuPer1k: contender.pid ? (sum('gatewayCpu') / requests) * 1000 : null,
    subgraphsCpuPer1k: (sum('subgraphsCpu') / requests) * 1000,
  };
}

/**
 * Sends every operation once for each user through our gateway, so that the subgraphs' entity
 * caches are as warm for the first contender measured as for the last.
 */
async function primeCaches(graph, tokens) {
  const firstTokens = tokens.clientTokens.slice(0, USERS);
  for (const operation of operations) {
    const queue = [...firstTokens];
    const worker = async () => {
      for (let token = queue.shift(); token; token = queue.shift()) {
        await sendOnce(graph.gatewayUrl, operation, { authorization: `Bearer ${token}` });
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  }
}

function formatRow(row) {
  const cpu = row.gatewayCpuPer1k === null ? '-' : row.gatewayCpuPer1k.toFixed(2);
  return (
    `  ${row.contender.padEnd(14)} ${row.requestsPerSecond.toFixed(0).padStart(6)} req/s` +
    `  p50 ${String(row.p50Ms).padStart(4)} ms  p99 ${String(row.p99Ms).padStart(5)} ms` +
    `  gateway CPU ${cpu.padStart(6)} s/1k  subgraphs CPU ${row.subgraphsCpuPer1k.toFixed(2)} s/1k` +
    `  failed ${row.failed}\n`
  );
}

/** Checks that a contender returns the same data as our gateway, before it is measured. */
function assertSameData(contender, operation, body, reference) {
  if (body.errors) {
    throw new Error(
      `${contender.id} returned errors for ${operation.name}: ${JSON.stringify(body.errors)}`,
    );
  }
  if (reference && JSON.stringify(body.data) !== JSON.stringify(reference)) {
    throw new Error(
      `${contender.id} returned different data than our gateway for ${operation.name}.`,
    );
  }
}

async function main() {
  const startedAt = new Date();
  process.stdout.write(`starting the graph and seeding ${USERS} users\n`);
  const store = await startStore();
  const client = new MongoClient(store.url);
  const dbName = 'heartfelt_bench';
  const graph = await startGraph({
    env: {
      // Production settings everywhere, as for the contenders started below.
      NODE_ENV: 'production',
      MONGO_URL: store.url,
      MONGO_DB: dbName,
      RESPONSE_CACHE_ENABLED: 'false',
      // The heavy operation costs about 21,000 by the gateway's cost formula. The default limit
      // is 20,000, so the limit is raised here, and the check still runs on every request.
      MAX_COST: '50000',
      // Entity cache entries outlive the run, so every contender meets the same warm caches.
      ENTITY_CACHE_TTL_SECONDS: '3600',
      LOG_LEVEL: 'warn',
      // The gateway writes a CPU profile into this folder when it stops.
      ...(args['cpu-prof']
        ? {
            NODE_OPTIONS: `--require ${join(root, 'loadtest', 'cpuProfiler.cjs')}`,
            BENCH_CPU_PROFILE_DIR: args['cpu-prof'],
          }
        : {}),
    },
  }).catch(async (error) => {
    await store.stop();
    throw error;
  });
  const started = [];
  try {
    await client.connect();
    const db = client.db(dbName);
    await seed(db, {
      users: USERS + 1,
      templatesPerOccasion: 25,
      cards: USERS * CARDS_PER_USER + 20,
      demoCards: 20,
    });
    const tokens = await issueTokens(db);

    const contenders = [];
    for (const definition of contenderDefinitions) {
      if (definition.id === 'ours') {
        contenders.push({ ...definition, url: graph.gatewayUrl, pid: graph.processes.gateway.pid });
      } else if (definition.id === 'direct') {
        contenders.push({ ...definition, url: graph.subgraphUrls.users, pid: null });
      } else {
        const running = await startContender(definition, graph);
        started.push(running.process);
        contenders.push({ ...definition, url: running.url, pid: running.process.pid });
      }
    }

    // Response sizes and the reference data come from our gateway.
    const referenceUrl = graph.gatewayUrl;
    const bodyBytes = {};
    const referenceData = {};
    for (const operation of operations) {
      const reference = await sendOnce(referenceUrl, operation, {
        authorization: `Bearer ${tokens.clientTokens[0]}`,
      });
      assertSameData({ id: 'ours' }, operation, reference.body);
      bodyBytes[operation.name] = reference.bytes;
      referenceData[operation.name] = reference.body.data;
      process.stdout.write(`${operation.name}: ${reference.bytes} bytes per response\n`);
    }

    process.stdout.write("warming the subgraphs' caches\n");
    await primeCaches(graph, tokens);

    const rows = [];
    for (const operation of operations) {
      process.stdout.write(`\n${operation.label}\n`);
      const entries = [];
      for (const contender of contenders) {
        if (contender.id === 'direct' && !operation.singleSubgraph) continue;
        const target = targetFor(contender, operation, tokens, bodyBytes);
        if (contender.id !== 'bare') {
          const sample = await sendOnce(target.url, operation, {
            [target.header]: target.tokens[0],
          });
          assertSameData(contender, operation, sample.body, referenceData[operation.name]);
        }
        await load(target, operation, WARMUP_SECONDS);
        entries.push({ contender, target, windows: [] });
      }
      // Contenders take turns, so that a change in the machine's other load hits them all. Every
      // other round runs them in reverse order, so that no contender always goes first.
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const entry of round % 2 === 0 ? entries : [...entries].reverse()) {
          entry.windows.push(await measureWindow(entry.contender, operation, entry.target, graph));
        }
      }
      for (const entry of entries) {
        const row = summarize(entry.contender, operation, entry.windows);
        rows.push(row);
        process.stdout.write(formatRow(row));
      }
    }

    // The same token on every Dashboard request, so that deduplication can take effect.
    const dedupRows = [];
    const dashboard = operations.find((operation) => operation.name === 'Dashboard');
    if (dashboard) {
      process.stdout.write('\nDashboard, one token for every request\n');
      for (const contender of contenders.filter((c) => ['ours', 'hive'].includes(c.id))) {
        const target = targetFor(contender, dashboard, tokens, bodyBytes);
        const oneToken = { ...target, tokens: [target.tokens[0]] };
        await load(oneToken, dashboard, WARMUP_SECONDS);
        const window = await measureWindow(contender, dashboard, oneToken, graph);
        const row = summarize(contender, dashboard, [window]);
        dedupRows.push(row);
        process.stdout.write(formatRow(row));
      }
    }

    const report = {
      startedAt: startedAt.toISOString(),
      command: `npm run bench:gateways${args.short ? ' -- --short' : ''}`,
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
      settings: {
        warmupSeconds: WARMUP_SECONDS,
        measureSeconds: MEASURE_SECONDS,
        rounds: ROUNDS,
        connections: CONNECTIONS,
        users: USERS,
        clientTokens: tokens.clientTokens.length,
      },
      operations: operations.map((operation) => ({
        name: operation.name,
        label: operation.label,
        bytes: bodyBytes[operation.name],
      })),
      contenders: contenders.map(({ id, label }) => ({ id, label })),
      rows,
      dedupRows,
    };
    printRatios(report);
    if (!args['no-write']) {
      const written = await writeReport(root, report);
      process.stdout.write(`\nwrote ${written.join(', ')}\n`);
    }
  } finally {
    await Promise.all(started.map((service) => service.stop()));
    await graph.stop();
    await client.close();
    await store.stop();
  }
}

/** Prints our gateway's ratios to the others, by throughput and by CPU per request. */
function printRatios(report) {
  process.stdout.write('\nratios (our gateway : other; CPU ratio = other CPU s/1k : ours)\n');
  for (const operation of report.operations) {
    const ours = report.rows.find((r) => r.operation === operation.name && r.contender === 'ours');
    if (!ours) continue;
    for (const other of report.rows.filter(
      (r) => r.operation === operation.name && r.contender !== 'ours',
    )) {
      const throughput = ours.requestsPerSecond / other.requestsPerSecond;
      const cpu =
        other.gatewayCpuPer1k === null
          ? ''
          : `, CPU ${(other.gatewayCpuPer1k / ours.gatewayCpuPer1k).toFixed(2)}×`;
      process.stdout.write(
        `  ${operation.name} vs ${other.contender}: throughput ${throughput.toFixed(2)}×${cpu}\n`,
      );
    }
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
