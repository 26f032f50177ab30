// Identity for the benchmark's contender gateways. Our subgraphs accept only requests that carry
// a gateway token signed for them, so every contender does what our gateway does: verify the
// client's bearer token with the kit, then send a signed token for the target subgraph. The
// signed tokens come from the kit's GatewayTokenCache, as in our gateway, so signing costs the
// same everywhere.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { GatewayTokenCache, GATEWAY_TOKEN_HEADER, verifyAccessToken } = require('@heartfelt/kit');

export { GATEWAY_TOKEN_HEADER };

/** Reads a required setting from the environment the benchmark gives the contender. */
export function requiredEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`Missing setting ${name}: the benchmark script sets it.`);
  return value;
}

/** Creates the per-subgraph signer, with the client-token verification in front of it. */
export function createSigner() {
  const jwtSecret = requiredEnv('JWT_SECRET');
  const tokens = new GatewayTokenCache(requiredEnv('SUBGRAPH_SIGNING_SECRET'));
  return {
    /** Verifies an Authorization header value; resolves to the identity, or rejects. */
    async identify(authorization) {
      if (!authorization) return { userId: null };
      const match = /^Bearer (.+)$/i.exec(authorization);
      if (!match) throw new Error('Authorization header must be "Bearer <token>".');
      return { userId: await verifyAccessToken(match[1], jwtSecret) };
    },
    tokenFor(identity, subgraph) {
      return tokens.tokenFor(identity, subgraph);
    },
  };
}

/** Subgraph URLs by name, from the USERS_URL … PAYMENTS_URL settings. */
export function subgraphUrlsFromEnv() {
  const urls = {};
  for (const name of ['users', 'cards', 'templates', 'ai', 'payments']) {
    urls[name] = requiredEnv(`${name.toUpperCase()}_URL`);
  }
  return urls;
}
