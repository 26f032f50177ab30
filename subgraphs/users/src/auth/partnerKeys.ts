import { randomBytes } from 'node:crypto';
import {
  badUserInput,
  hashPartnerKeySecret,
  hasScopes,
  notFound,
  partnerKeyCacheKey,
  randomToken,
  rateTiers,
  type Identity,
  type Logger,
  type RateTier,
  type Redis,
} from '@heartfelt/kit';
import { partnerKeysForbidden } from '../errors';
import type { PartnerKeyDocument } from '../repository/documents';
import type { PartnerKeyRepository } from '../repository/partnerKeys';

/** Scope an admin needs to create, list and revoke partner keys. */
export const PARTNER_KEYS_ADMIN_SCOPE = 'admin:partner-keys';

const SCOPE_PATTERN = /^[a-z][a-z0-9:_-]{0,63}$/;
const MAX_SCOPES = 20;

/** A partner key's secret hash and identity: what the gateway checks a key against. */
export interface PartnerKeyRecord {
  /** SHA-256 of the key's secret part, in hex. */
  secretHash: string;
  identity: {
    partnerKeyId: string;
    scopes: string[];
    rateTier: RateTier;
    safelistOnly: boolean;
  };
}

/** Input of `createPartnerKey`. */
export interface CreatePartnerKeyInput {
  name: string;
  scopes?: readonly string[] | null;
  rateTier?: RateTier | null;
  safelistOnly?: boolean | null;
}

function requireAdmin(identity: Identity): string {
  // The gateway checks @requiresScopes before execution; this check stands for a subgraph that
  // must not rely on the caller's planning alone.
  if (identity.userId === null || !hasScopes(identity, [[PARTNER_KEYS_ADMIN_SCOPE]])) {
    throw partnerKeysForbidden(PARTNER_KEYS_ADMIN_SCOPE);
  }
  return identity.userId;
}

function parseInput(input: CreatePartnerKeyInput) {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) {
    throw badUserInput('name must be 1 to 100 characters.', 'name');
  }
  const scopes = [...new Set(input.scopes ?? [])];
  if (scopes.length > MAX_SCOPES) {
    throw badUserInput(`A key may have at most ${MAX_SCOPES} scopes.`, 'scopes');
  }
  for (const scope of scopes) {
    if (!SCOPE_PATTERN.test(scope)) {
      throw badUserInput(
        `Scope ${JSON.stringify(scope)} is invalid: use lower-case letters, digits, ":", "_" and "-".`,
        'scopes',
      );
    }
  }
  const rateTier = input.rateTier ?? 'standard';
  if (!rateTiers.includes(rateTier)) {
    throw badUserInput(`rateTier must be one of ${rateTiers.join(', ')}.`, 'rateTier');
  }
  return { name, scopes, rateTier, safelistOnly: input.safelistOnly ?? false };
}

/**
 * Partner API keys: created by an admin and shown once, stored as the SHA-256 of their secret
 * part, and looked up by the id they start with.
 */
export class PartnerKeyService {
  constructor(
    private readonly repository: PartnerKeyRepository,
    private readonly cacheRedis: Redis,
    private readonly logger: Logger,
  ) {}

  /** Creates a key and returns its document with the key itself, which is not stored. */
  async create(
    identity: Identity,
    input: CreatePartnerKeyInput,
  ): Promise<{ key: string; partnerKey: PartnerKeyDocument }> {
    const adminId = requireAdmin(identity);
    const parsed = parseInput(input);
    const id = `pk_${randomToken(16)}`;
    const secret = randomBytes(32).toString('base64url');
    const partnerKey: PartnerKeyDocument = {
      _id: id,
      ...parsed,
      secretHash: hashPartnerKeySecret(secret),
      createdAt: new Date(),
      createdBy: adminId,
      revokedAt: null,
    };
    await this.repository.insert(partnerKey);
    this.logger.info({ partnerKeyId: id, adminId }, 'partner key created');
    return { key: `${id}.${secret}`, partnerKey };
  }

  async list(identity: Identity): Promise<PartnerKeyDocument[]> {
    requireAdmin(identity);
    return this.repository.list();
  }

  async revoke(identity: Identity, id: string): Promise<PartnerKeyDocument> {
    const adminId = requireAdmin(identity);
    const revoked = await this.repository.revoke(id, new Date());
    if (revoked === null) throw notFound('PartnerKey', id);
    this.logger.info({ partnerKeyId: id, adminId }, 'partner key revoked');
    // The gateway caches key records; without this entry it reads the revocation at the next
    // request. When Redis is down the entry expires by its TTL instead.
    await this.cacheRedis.del(partnerKeyCacheKey(id)).catch((error: unknown) => {
      this.logger.warn(
        { err: error, partnerKeyId: id },
        'could not clear the cached partner key, so the gateway accepts it until its entry expires',
      );
    });
    return revoked;
  }

  /** Returns the record of an unrevoked key by its id, or null when none is valid. */
  async lookup(keyId: string): Promise<PartnerKeyRecord | null> {
    const stored = await this.repository.findById(keyId);
    if (stored === null || stored.revokedAt !== null) return null;
    return {
      secretHash: stored.secretHash,
      identity: {
        partnerKeyId: stored._id,
        scopes: stored.scopes,
        rateTier: stored.rateTier,
        safelistOnly: stored.safelistOnly,
      },
    };
  }
}
