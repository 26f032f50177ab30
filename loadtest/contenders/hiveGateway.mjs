// Hive Gateway (@graphql-hive/gateway-runtime) over a plain node:http server. Defaults, except:
// - the signed subgraph token header is added with propagateHeaders.fromClientToSubgraphs (see
//   identity.mjs), the documented hook for per-request subgraph headers. Headers set there are
//   part of the key of Hive's in-flight request deduplication, so users never share a result;
// - HIVE_DEDUPLICATION=false turns the deduplication of identical in-flight subgraph requests
//   off (deduplicateInflightRequests of the HTTP transport), which is on by default;
// - logging is limited to errors.
// It makes no outbound call but to the subgraphs: the supergraph is a local SDL string, and no
// Hive token, CDN or usage reporting is configured.
// Settings: PORT, SUPERGRAPH_PATH, JWT_SECRET, SUBGRAPH_SIGNING_SECRET, USERS_URL … PAYMENTS_URL,
// HIVE_DEDUPLICATION (default true).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import {
  GATEWAY_TOKEN_HEADER,
  createSigner,
  requiredEnv,
  subgraphUrlsFromEnv,
} from './identity.mjs';

const signer = createSigner();
const urls = subgraphUrlsFromEnv();
const deduplication = (process.env.HIVE_DEDUPLICATION ?? 'true') === 'true';

// Each client request is verified once, whatever the number of subgraph fetches it causes.
const identities = new WeakMap();
function identityOf(request) {
  let identity = identities.get(request);
  if (!identity) {
    identity = signer.identify(request.headers.get('authorization') ?? undefined);
    identities.set(request, identity);
  }
  return identity;
}

// The supergraph names the subgraphs' production URLs; point each at the benchmark's port.
let supergraph = readFileSync(requiredEnv('SUPERGRAPH_PATH'), 'utf8');
for (const [name, url] of Object.entries(urls)) {
  supergraph = supergraph.replace(
    new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`),
    `$1${url}$2`,
  );
}

const gateway = createGatewayRuntime({
  supergraph,
  logging: 'error',
  propagateHeaders: {
    fromClientToSubgraphs: async ({ request, subgraphName }) => ({
      [GATEWAY_TOKEN_HEADER]: await signer.tokenFor(await identityOf(request), subgraphName),
    }),
  },
  ...(deduplication
    ? {}
    : { transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } } }),
});

const server = createServer(gateway);
server.listen(Number(requiredEnv('PORT')), '127.0.0.1', () => {
  process.stdout.write(`hive gateway listening, deduplication ${deduplication}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void gateway.dispose().finally(() => process.exit(0));
});
