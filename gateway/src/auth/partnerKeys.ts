import { timingSafeEqual } from 'node:crypto';
import {
  GATEWAY_TOKEN_HEADER,
  HttpError,
  hashPartnerKeySecret,
  parsePartnerKey,
  partnerKeyCacheKey,
  type GatewayTokenCache,
  type Identity,
  type Logger,
  type RateTier,
  type Redis,
} from '@heartfelt/kit';
import { fetch as undiciFetch, type Agent } from 'undici';

/** Path of the users subgraph's route that returns a partner key's record. */
const LOOKUP_PATH = '/internal/partner-keys/lookup';

/** A partner key's record as the users subgraph returns it and the cache stores it. */
interface PartnerKeyRecord {
  secretHash: string;
  identity: { partnerKeyId: string; scopes: string[]; rateTier: RateTier; safelistOnly: boolean };
}

/** Cached value: a record, or the fact that no valid key has this id. */
type CachedLookup = PartnerKeyRecord | { unknown: true };

/** Options of {@link PartnerKeyResolver}. */
export interface PartnerKeyResolverOptions {
  /** GraphQL URL of the users subgraph; the lookup route is on its origin. */
  usersUrl: string;
  tokens: GatewayTokenCache;
  agent: Agent;
  /** The cache Redis; without it every request with a key calls the users subgraph. */
  redis?: Redis;
  /**
   * How long a key's record is cached, in seconds. Revocation clears the entry, but a lookup
   * that read the record just before the revocation can write it back, so a revoked key may
   * work for up to this long.
   */
  cacheTtlSeconds: number;
  logger: Logger;
}

function invalidKey(): HttpError {
  return new HttpError(401, 'API key is invalid or revoked.', 'UNAUTHENTICATED');
}

/**
 * Resolves partner API keys to identities. The users subgraph stores the keys. The gateway requests
 * a key's record by the key's public id, caches the record in Redis for
 * `cacheTtlSeconds`, and compares the SHA-256 of the secret itself.
 */
export class PartnerKeyResolver {
  private readonly lookupUrl: string;

  constructor(private readonly options: PartnerKeyResolverOptions) {
    this.lookupUrl = new URL(LOOKUP_PATH, options.usersUrl).toString();
  }

  /** Returns the identity of a valid key; raises 401 for any other key. */
  async resolve(key: string): Promise<Identity> {
    const parsed = parsePartnerKey(key);
    if (parsed === null) throw invalidKey();
    const lookup = await this.lookup(parsed.keyId);
    if ('unknown' in lookup) throw invalidKey();

    const expected = Buffer.from(lookup.secretHash, 'hex');
    const actual = Buffer.from(hashPartnerKeySecret(parsed.secret), 'hex');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      throw invalidKey();
    }
    return { userId: null, ...lookup.identity };
  }

  private async lookup(keyId: string): Promise<CachedLookup> {
    const cacheKey = partnerKeyCacheKey(keyId);
    const cached = await this.options.redis?.get(cacheKey).catch(() => null);
    if (cached) return JSON.parse(cached) as CachedLookup;

    const fetched = await this.fetchRecord(keyId);
    await this.options.redis
      ?.set(cacheKey, JSON.stringify(fetched), 'EX', this.options.cacheTtlSeconds)
      .catch(() => undefined);
    return fetched;
  }

  private async fetchRecord(keyId: string): Promise<CachedLookup> {
    const token = await this.options.tokens.tokenFor({ userId: null }, 'users');
    let response;
    try {
      response = await undiciFetch(this.lookupUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [GATEWAY_TOKEN_HEADER]: token },
        body: JSON.stringify({ keyId }),
        dispatcher: this.options.agent,
        signal: AbortSignal.timeout(5000),
      });
    } catch (error) {
      this.options.logger.error({ err: String(error) }, 'partner key lookup failed');
      throw unavailable();
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return { unknown: true };
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      this.options.logger.error({ status: response.status }, 'partner key lookup failed');
      throw unavailable();
    }
    return (await response.json()) as PartnerKeyRecord;
  }
}

function unavailable(): HttpError {
  return new HttpError(
    503,
    'A service this operation depends on is unavailable; retry later.',
    'DEPENDENCY_FAILED',
  );
}
