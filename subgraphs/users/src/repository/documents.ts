/**
 * A user as resolvers and the entity cache see it: the stored user without the password hash
 * and the contact counter. Reads for the graph project those two fields away, so the hash never
 * reaches the cache Redis.
 */
export interface UserDocument {
  _id: string;
  /** Lower-cased sign-in email. */
  email: string;
  displayName: string;
  createdAt: Date;
}

/** A user as stored in `users`, sharded on `_id` (hashed). */
export interface StoredUserDocument extends UserDocument {
  /** Argon2id hash in PHC string format. */
  passwordHash: string;
  /**
   * Number of contacts the user has, counted up before each contact insert so that the per-user
   * maximum is kept even when two `addContact` calls run at once.
   */
  contactCount: number;
  /**
   * Scopes granted to the user, copied into each access token issued to them; fields marked
   * `@requiresScopes` need them. Absent means none. `npm run grant-scopes` sets them.
   */
  scopes?: string[];
}

/**
 * Claim on an email address, stored in `emails` with the lower-cased address as `_id` and
 * sharded on it. A unique index on `users.email` could not be enforced once `users` is sharded
 * on the user id, so the claim keeps addresses unique. It is written first.
 */
export interface EmailDocument {
  _id: string;
  userId: string;
  createdAt: Date;
}

/** A contact as stored in `contacts`, sharded on `userId` (hashed). */
export interface ContactDocument {
  _id: string;
  userId: string;
  name: string;
  relationship: string;
  /** YYYY-MM-DD, or null when unknown. */
  birthday: string | null;
  /**
   * MM-DD of the birthday, or null when unknown: the daily birthday scan looks contacts up by
   * it. Contacts written before the field existed lack it until users-worker backfills it at
   * start.
   */
  birthdayMonthDay?: string | null;
  timeZone: string;
  email: string;
  createdAt: Date;
}

/**
 * A refresh token as stored in `refresh_tokens`, sharded on `_id` (hashed). The token itself is
 * never stored: `_id` is the SHA-256 of it, in hex.
 */
export interface RefreshTokenDocument {
  _id: string;
  /** The family of tokens rotated from one sign-in; revoking it revokes every one of them. */
  familyId: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * A record that a refresh token was exchanged, stored in `refresh_rotations` with the token's
 * hash as `_id`. Its unique insert lets exactly one exchange of a token succeed, because
 * FerretDB does not make conditional updates atomic.
 */
export interface RefreshRotationDocument {
  _id: string;
  familyId: string;
  rotatedAt: Date;
}

/** One sign-in's chain of refresh tokens, stored in `refresh_families`, sharded on `_id`. */
export interface RefreshFamilyDocument {
  _id: string;
  userId: string;
  createdAt: Date;
  /** When the family was revoked by `logOut` or by reuse of a rotated token; null while live. */
  revokedAt: Date | null;
  revokedReason?: 'logout' | 'reuse';
}

/** A partner API key as stored in `partner_keys` (not sharded: a few rows an admin writes). */
export interface PartnerKeyDocument {
  /** The key's public id, `pk_` and 16 base32 characters; the key starts with it. */
  _id: string;
  name: string;
  /** SHA-256 of the key's secret part, in hex. The key itself is shown once and not stored. */
  secretHash: string;
  scopes: string[];
  rateTier: 'standard' | 'high';
  /** True when the key may run only operations from the safelist manifest. */
  safelistOnly: boolean;
  createdAt: Date;
  /** The admin who created the key. */
  createdBy: string;
  revokedAt: Date | null;
}
