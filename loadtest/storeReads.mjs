// Store-read benchmark: runs a fixed read mix through the gateway with the entity cache and the
// gateway's response cache off, then with the entity cache on, then with both on. It prints the
// store reads each run caused: find, aggregate, count and getMore from
// heartfelt_store_commands_total, summed over all subgraphs. Every configuration gets a fresh graph on loopback ports with the same
// deterministic seed data.
// Run after `npm run build`: npm run bench:store-reads
// Settings: BENCH_USERS (default 30), BENCH_ROUNDS (rounds per user and pass, default 4).
// The gateway's response cache is switched with its RESPONSE_CACHE_ENABLED setting.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BROWSE, CARD, DASHBOARD } from './lib/benchOperations.mjs';

const require = createRequire(import.meta.url);
const {
  startGraph,
  graphql,
  subgraphNames,
  testSecrets,
  findRepoRoot,
} = require('@heartfelt/testkit');
const { issueAccessToken } = require('@heartfelt/kit');

const root = findRepoRoot();
const { seed } = require(join(root, 'tools', 'dist', 'seed.js'));

const USERS = Number(process.env.BENCH_USERS ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
/** Users whose mixes run at the same time. */
const CONCURRENCY = 8;
const SEED_SIZES = { users: USERS + 1, templatesPerOccasion: 10, cards: 1200, demoCards: 20 };
const READ_COMMANDS = ['find', 'aggregate', 'count', 'getMore'];
const OCCASIONS = ['BIRTHDAY', 'ANNIVERSARY', 'THANK_YOU'];

const TEMPLATE = 'query Template($id: ID!) { template(id: $id) { id title occasion priceCents } }';
const UPDATE = 'mutation Update($input: UpdateCardInput!) { updateCard(input: $input) { id } }';

// The first configuration is the baseline that the others are compared with.
const configurations = [
  {
    name: 'caches off',
    env: { ENTITY_CACHE_TTL_SECONDS: '0', RESPONSE_CACHE_ENABLED: 'false' },
  },
  {
    name: 'entity cache on',
    env: { ENTITY_CACHE_TTL_SECONDS: '300', RESPONSE_CACHE_ENABLED: 'false' },
  },
  {
    name: 'entity and response caches on',
    env: { ENTITY_CACHE_TTL_SECONDS: '300', RESPONSE_CACHE_ENABLED: 'true' },
  },
];

/** Returns the store reads of every subgraph so far, by collection. */
async function storeReads(graph) {
  const byCollection = new Map();
  for (const name of subgraphNames) {
    const text = await (await fetch(new URL('/metrics', graph.subgraphUrls[name]))).text();
    for (const line of text.split('\n')) {
      const match = /^heartfelt_store_commands_total\{([^}]*)\} (\d+)/.exec(line);
      if (!match) continue;
      const collection = /collection="([^"]*)"/.exec(match[1])?.[1] ?? '';
      const command = /command="([^"]*)"/.exec(match[1])?.[1] ?? '';
      if (!READ_COMMANDS.includes(command)) continue;
      byCollection.set(collection, (byCollection.get(collection) ?? 0) + Number(match[2]));
    }
  }
  return byCollection;
}

/** Returns the reads between two {@link storeReads} results: the total and by collection. */
function readsBetween(before, after) {
  const byCollection = {};
  let total = 0;
  for (const [collection, count] of after) {
    const reads = count - (before.get(collection) ?? 0);
    if (reads === 0) continue;
    byCollection[collection] = reads;
    total += reads;
  }
  return { total, byCollection };
}

/** Sends one operation and fails the run on any GraphQL error. */
async function send(graph, query, variables, token) {
  const result = await graphql(graph.gatewayUrl, query, { variables, token });
  if (result.errors) throw new Error(`Operation failed: ${JSON.stringify(result.errors)}`);
  return result.data;
}

/**
 * Runs one round of a user's mix: a Dashboard, a template list, two template details,
 * two card details and, every other round, an update of a draft's message.
 */
async function runUser(graph, user, templateIds, round) {
  await send(graph, DASHBOARD, { first: 10 }, user.token);
  const occasion = OCCASIONS[(user.index + round) % OCCASIONS.length];
  await send(graph, BROWSE, { occasion, first: 12 }, user.token);
  for (let offset = 0; offset < 2; offset += 1) {
    const id = templateIds[(user.index * 3 + round + offset * 7) % templateIds.length];
    await send(graph, TEMPLATE, { id }, user.token);
  }
  for (let offset = 0; offset < 2; offset += 1) {
    const id = user.cardIds[(round + offset) % user.cardIds.length];
    await send(graph, CARD, { id }, user.token);
  }
  if (round % 2 === 1 && user.draftIds.length > 0) {
    const id = user.draftIds[round % user.draftIds.length];
    await send(graph, UPDATE, { input: { id, message: `Round ${round} message` } }, user.token);
  }
}

/** Runs every user's rounds, CONCURRENCY users at a time, and counts requests and store reads. */
async function runPass(graph, users, templateIds) {
  const before = await storeReads(graph);
  let requests = 0;
  const queue = [...users];
  const worker = async () => {
    for (let user = queue.shift(); user; user = queue.shift()) {
      for (let round = 0; round < ROUNDS; round += 1) {
        await runUser(graph, user, templateIds, round);
        requests += 6 + (round % 2 === 1 && user.draftIds.length > 0 ? 1 : 0);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const reads = readsBetween(before, await storeReads(graph));
  return { requests, reads: reads.total, byCollection: reads.byCollection };
}

/** Loads the seeded users that own cards, with their access tokens and card ids. */
async function loadUsers(db) {
  const users = await db.collection('users').find({}).sort({ _id: 1 }).limit(USERS).toArray();
  return Promise.all(
    users.map(async (user, index) => {
      const cards = await db
        .collection('cards')
        .find({ ownerId: user._id })
        .sort({ _id: 1 })
        .toArray();
      return {
        index,
        token: await issueAccessToken(user._id, testSecrets.JWT_SECRET, 3600),
        cardIds: cards.map((card) => card._id),
        draftIds: cards.filter((card) => card.status === 'DRAFT').map((card) => card._id),
      };
    }),
  );
}

async function main() {
  const results = [];
  for (const configuration of configurations) {
    const graph = await startGraph({ env: configuration.env });
    try {
      await seed(graph.db, SEED_SIZES);
      const users = (await loadUsers(graph.db)).filter((user) => user.cardIds.length > 0);
      const templates = await graph.db.collection('templates').find({}).sort({ _id: 1 }).toArray();
      const templateIds = templates.map((template) => template._id);
      const cold = await runPass(graph, users, templateIds);
      const warm = await runPass(graph, users, templateIds);
      results.push({ name: configuration.name, users: users.length, cold, warm });
    } finally {
      await graph.stop();
    }
  }

  const [off, ...others] = results;
  process.stdout.write(`users ${off.users}, rounds per user and pass ${ROUNDS}\n`);
  for (const result of results) {
    const line =
      `${result.name}: cold pass ${result.cold.requests} requests, ${result.cold.reads} store ` +
      `reads; warm pass ${result.warm.requests} requests, ${result.warm.reads} store reads\n`;
    process.stdout.write(line);
    process.stdout.write(
      `  warm pass by collection: ${JSON.stringify(result.warm.byCollection)}\n`,
    );
  }
  for (const result of others) {
    for (const pass of ['cold', 'warm']) {
      const reduction = 1 - result[pass].reads / off[pass].reads;
      const line = `${result.name} vs ${off.name}, ${pass} pass: ${(reduction * 100).toFixed(1)}% fewer store reads\n`;
      process.stdout.write(line);
    }
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
