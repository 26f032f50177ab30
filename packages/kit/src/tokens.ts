import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

/** The caller as subgraphs see it, after the gateway verified the client's credentials. */
export interface Identity {
  /** The signed-in user's id, or null for an anonymous caller. */
  userId: string | null;
}

const encoder = new TextEncoder();
const secretKeys = new Map<string, Uint8Array>();

function keyOf(secret: string): Uint8Array {
  let key = secretKeys.get(secret);
  if (!key) {
    key = encoder.encode(secret);
    secretKeys.set(secret, key);
  }
  return key;
}

const ACCESS_TOKEN_ISSUER = 'heartfelt-users';
const ACCESS_TOKEN_AUDIENCE = 'heartfelt-graph';
const GATEWAY_ISSUER = 'heartfelt-gateway';

/** Issues the access token that `signUp` and `logIn` return to clients. */
export async function issueAccessToken(
  userId: string,
  secret: string,
  ttlSeconds: number,
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ACCESS_TOKEN_ISSUER)
    .setAudience(ACCESS_TOKEN_AUDIENCE)
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(keyOf(secret));
}

/** Raised when a token is missing its signature, expired, or meant for someone else. */
export class InvalidTokenError extends Error {
  constructor(readonly reason: string) {
    super(`invalid token: ${reason}`);
    this.name = 'InvalidTokenError';
  }
}

async function verify(token: string, secret: string, issuer: string, audience: string) {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), {
      issuer,
      audience,
      algorithms: ['HS256'],
    });
    return payload;
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) throw new InvalidTokenError(error.code);
    throw error;
  }
}

/** Verifies a client's access token and returns the user id it was issued to. */
export async function verifyAccessToken(token: string, secret: string): Promise<string> {
  const payload = await verify(token, secret, ACCESS_TOKEN_ISSUER, ACCESS_TOKEN_AUDIENCE);
  if (typeof payload.sub !== 'string') throw new InvalidTokenError('missing subject');
  return payload.sub;
}

/**
 * Claim of a gateway token that requests the subgraph's explain facts. Only the gateway
 * can set it, and it does so only for a request that carried the admin token.
 */
const EXPLAIN_CLAIM = 'hf_explain';

/** Options of {@link signGatewayToken}. */
export interface GatewayTokenOptions {
  /** Requests the subgraph's cache and store facts in `extensions.explain`. */
  explain?: boolean;
}

/** Header that carries the gateway's signed identity token on every subgraph request. */
export const GATEWAY_TOKEN_HEADER = 'x-heartfelt-gateway-token';

/**
 * Signs the identity of one request for one subgraph. The audience is the subgraph's name, so
 * a token captured on the way to one subgraph is rejected by the others.
 */
export async function signGatewayToken(
  identity: Identity,
  subgraph: string,
  secret: string,
  ttlSeconds = 60,
  options: GatewayTokenOptions = {},
): Promise<string> {
  const jwt = new SignJWT(options.explain ? { [EXPLAIN_CLAIM]: true } : {})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(GATEWAY_ISSUER)
    .setAudience(subgraph)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds);
  if (identity.userId) jwt.setSubject(identity.userId);
  return jwt.sign(keyOf(secret));
}

/** Verifies a gateway token addressed to `subgraph` and returns the identity it carries. */
export async function verifyGatewayToken(
  token: string,
  subgraph: string,
  secret: string,
): Promise<Identity> {
  return (await readGatewayToken(token, subgraph, secret)).identity;
}

/** Claims that a verified gateway token carries about its request. */
export interface GatewayTokenClaims {
  identity: Identity;
  /** True when an operator asked the gateway to explain this request. */
  explain: boolean;
}

/** Verifies a gateway token addressed to `subgraph` and returns everything it carries. */
export async function readGatewayToken(
  token: string,
  subgraph: string,
  secret: string,
): Promise<GatewayTokenClaims> {
  const payload = await verify(token, secret, GATEWAY_ISSUER, subgraph);
  return {
    identity: { userId: typeof payload.sub === 'string' ? payload.sub : null },
    explain: payload[EXPLAIN_CLAIM] === true,
  };
}

/**
 * Caches signed gateway tokens per (user, subgraph) so that a busy gateway signs each pair
 * about once a minute rather than once per fetch.
 */
export class GatewayTokenCache {
  private readonly entries = new Map<string, { token: string; expiresAtMs: number }>();

  constructor(
    private readonly secret: string,
    private readonly ttlSeconds = 60,
    private readonly maxEntries = 50_000,
  ) {}

  async tokenFor(
    identity: Identity,
    subgraph: string,
    options: GatewayTokenOptions = {},
  ): Promise<string> {
    const cacheKey = `${identity.userId ?? ''}\u0000${subgraph}\u0000${options.explain ? 1 : 0}`;
    const now = Date.now();
    const cached = this.entries.get(cacheKey);
    // Reuse a token only while more than half of its lifetime is left.
    if (cached && cached.expiresAtMs - now > (this.ttlSeconds * 1000) / 2) return cached.token;

    const token = await signGatewayToken(identity, subgraph, this.secret, this.ttlSeconds, options);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(cacheKey, { token, expiresAtMs: now + this.ttlSeconds * 1000 });
    return token;
  }
}
