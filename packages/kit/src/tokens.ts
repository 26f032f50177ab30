import { createHash } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

/** Request rate a partner key is allowed; the gateway's rate limits read it. */
export type RateTier = 'standard' | 'high';

export const rateTiers: readonly RateTier[] = ['standard', 'high'];

/** The caller as subgraphs see it, after the gateway verified the client's credentials. */
export interface Identity {
  /** The signed-in user's id, or null for an anonymous caller or a partner key. */
  userId: string | null;
  /** Id of the partner API key the request was made with; absent for users and anonymous. */
  partnerKeyId?: string;
  /**
   * Scopes granted to the caller: a user's from their access token, a partner's from the key.
   * Fields marked `@requiresScopes` need them. Absent means none.
   */
  scopes?: readonly string[];
  /** Rate tier of the partner key; absent for users and anonymous callers. */
  rateTier?: RateTier;
  /** True when the partner key may run only operations from the safelist manifest. */
  safelistOnly?: boolean;
}

/** Returns true when the identity has every scope of at least one of the alternatives. */
export function hasScopes(identity: Identity, alternatives: ReadonlyArray<readonly string[]>) {
  const granted = new Set(identity.scopes ?? []);
  return alternatives.some((required) => required.every((scope) => granted.has(scope)));
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

/** Issues the access token that `signUp`, `logIn` and `refreshAccessToken` return. */
export async function issueAccessToken(
  userId: string,
  secret: string,
  ttlSeconds: number,
  scopes: readonly string[] = [],
): Promise<string> {
  return new SignJWT(scopes.length > 0 ? { scope: scopes.join(' ') } : {})
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

/** Reads an OAuth-style `scope` claim: scope names separated by spaces. */
function scopesOf(claim: unknown): string[] {
  return typeof claim === 'string' ? claim.split(' ').filter((scope) => scope !== '') : [];
}

/** Verifies a client's access token and returns the user id and scopes it was issued with. */
export async function verifyAccessTokenClaims(
  token: string,
  secret: string,
): Promise<{ userId: string; scopes: string[] }> {
  const payload = await verify(token, secret, ACCESS_TOKEN_ISSUER, ACCESS_TOKEN_AUDIENCE);
  if (typeof payload.sub !== 'string') throw new InvalidTokenError('missing subject');
  return { userId: payload.sub, scopes: scopesOf(payload.scope) };
}

/** Verifies a client's access token and returns the user id it was issued to. */
export async function verifyAccessToken(token: string, secret: string): Promise<string> {
  return (await verifyAccessTokenClaims(token, secret)).userId;
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
  const claims: Record<string, unknown> = {};
  if (identity.scopes && identity.scopes.length > 0) claims.scope = identity.scopes.join(' ');
  if (identity.partnerKeyId) {
    claims.pkid = identity.partnerKeyId;
    claims.tier = identity.rateTier ?? 'standard';
    claims.safelist = identity.safelistOnly === true;
  }
  if (options.explain) claims[EXPLAIN_CLAIM] = true;
  const jwt = new SignJWT(claims)
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
  const identity: Identity = {
    userId: typeof payload.sub === 'string' ? payload.sub : null,
    scopes: scopesOf(payload.scope),
  };
  if (typeof payload.pkid === 'string') {
    identity.partnerKeyId = payload.pkid;
    identity.rateTier = payload.tier === 'high' ? 'high' : 'standard';
    identity.safelistOnly = payload.safelist === true;
  }
  return { identity, explain: payload[EXPLAIN_CLAIM] === true };
}

/** Cache key of everything a gateway token carries about the caller. */
function identityKey(identity: Identity): string {
  return [
    identity.userId ?? '',
    identity.partnerKeyId ?? '',
    identity.rateTier ?? '',
    identity.safelistOnly === true ? '1' : '0',
    (identity.scopes ?? []).join(' '),
  ].join('\u0000');
}

/**
 * Caches signed gateway tokens per (identity, subgraph) so that a busy gateway signs each pair
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
    const cacheKey = `${identityKey(identity)}\u0000${subgraph}\u0000${options.explain ? 1 : 0}`;
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

/** A partner API key is `<id>.<secret>`: the id `pk_` and 16 base32 characters, 256 bits. */
const PARTNER_KEY_PATTERN = /^(pk_[a-z2-7]{16})\.([A-Za-z0-9_-]{43})$/;

/** Splits a partner API key into its public id and its secret, or returns null if malformed. */
export function parsePartnerKey(key: string): { keyId: string; secret: string } | null {
  const match = PARTNER_KEY_PATTERN.exec(key);
  return match ? { keyId: match[1]!, secret: match[2]! } : null;
}

/** SHA-256 of a partner key's secret part, in hex: the only form in which it is stored. */
export function hashPartnerKeySecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * Cache Redis key under which the gateway keeps a partner key's record. The users subgraph
 * deletes it when the key is revoked.
 */
export function partnerKeyCacheKey(keyId: string): string {
  return `partner-key:${keyId}`;
}
