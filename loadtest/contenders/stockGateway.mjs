// Stock @apollo/gateway on @apollo/server's standalone server with default settings. The only
// additions are a buildService whose data source sets the signed subgraph token header (see
// identity.mjs), because our subgraphs reject unsigned requests, and the two security specs
// listed as supported below. The fetcher, plugins, caches and limits are the libraries'
// defaults.
// Settings: PORT, SUPERGRAPH_PATH, JWT_SECRET, SUBGRAPH_SIGNING_SECRET, USERS_URL … PAYMENTS_URL.
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES } from '@apollo/federation-internals';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import {
  GATEWAY_TOKEN_HEADER,
  createSigner,
  requiredEnv,
  subgraphUrlsFromEnv,
} from './identity.mjs';

// Our supergraph links the authenticated and requiresScopes specs `for: SECURITY`, which
// @apollo/gateway 2.14 refuses to load because it enforces neither. Listing them as supported
// lets the stock gateway load the same supergraph. It still enforces nothing, so it does less
// work per request than our gateway, which checks both directives.
for (const url of [
  'https://specs.apollo.dev/authenticated/v0.1',
  'https://specs.apollo.dev/requiresScopes/v0.1',
]) {
  DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES.add(url);
}

const signer = createSigner();
const urls = subgraphUrlsFromEnv();

class SignedDataSource extends RemoteGraphQLDataSource {
  constructor(name, url) {
    super({ url });
    this.subgraphName = name;
  }

  async willSendRequest({ request, context }) {
    const token = await signer.tokenFor(context.identity ?? { userId: null }, this.subgraphName);
    request.http?.headers.set(GATEWAY_TOKEN_HEADER, token);
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(requiredEnv('SUPERGRAPH_PATH'), 'utf8'),
  buildService: ({ name }) => new SignedDataSource(name, urls[name]),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { host: '127.0.0.1', port: Number(requiredEnv('PORT')) },
  context: async ({ req }) => ({ identity: await signer.identify(req.headers.authorization) }),
});
process.stdout.write(`stock gateway listening on ${url}\n`);
